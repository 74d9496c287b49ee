import { openSongAs } from './helpers/open-song'
import { expect, test } from './helpers/test'

// playwright.config.ts gives room tokens a 20-second life, so this test outlives the token the
// studio opened the song with. Without renewal, the reconnect below would carry an expired token
// and the server would refuse it; the edit would then never be saved or seen.
test('an open tab renews its room token, so a reconnect after the first token expired still works', async ({
  browser,
}) => {
  test.setTimeout(90_000)
  const a = await openSongAs(browser)
  const b = await openSongAs(browser, a.songId)
  const alice = a.page
  const bob = b.page
  await alice.getByRole('button', { name: 'Instrument track' }).click()
  await expect(bob.getByTestId('track')).toHaveCount(1)

  await alice.waitForTimeout(25_000)

  // A network blip forces y-websocket to open a new connection with whatever token it holds now.
  await a.context.setOffline(true)
  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'offline')
  await alice.getByTestId('track-name').fill('Renewed')
  await alice.getByTestId('track-name').press('Enter')
  await a.context.setOffline(false)

  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved', { timeout: 20_000 })
  await expect(bob.getByTestId('track-name').first()).toHaveValue('Renewed')
  await a.context.close()
  await b.context.close()
})
