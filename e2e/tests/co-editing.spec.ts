import { acceptInvite, createSong, inviteLink, signUpUser } from './helpers/accounts'
import { expect, test } from './helpers/test'

test('two bandmates co-edit a song and each sees the other’s changes, durably saved', async ({ browser }) => {
  const alice = await signUpUser(browser, 'Alice')
  const songId = await createSong(alice, 'Night drive')
  const link = await inviteLink(alice, songId, 'editor', 2)
  const bob = await signUpUser(browser, 'Bob')
  await acceptInvite(bob, link)

  // Both see each other.
  await expect(alice.getByTestId('presence').locator('li')).toHaveCount(2)
  await expect(bob.getByTestId('presence').locator('li')).toHaveCount(2)

  await alice.getByTestId('song-title').fill('Midnight Train')
  await alice.getByTestId('song-title').press('Enter')
  await expect(bob.getByTestId('song-title')).toHaveValue('Midnight Train')

  await bob.getByRole('button', { name: 'Instrument track' }).click()
  await expect(alice.getByTestId('track')).toHaveCount(1)

  await bob.getByTestId('track-name').fill('Rhodes')
  await bob.getByTestId('track-name').press('Enter')
  await expect(alice.getByTestId('track-name')).toHaveValue('Rhodes')

  await bob.getByRole('button', { name: 'Add clip' }).click()
  await expect(alice.getByTestId('clip')).toHaveCount(1)

  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await expect(bob.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')

  // Undo is per user: Alice's undo takes back her title (to the one the song was made with), not Bob's edits.
  await alice.locator('body').click({ position: { x: 5, y: 300 } })
  await alice.keyboard.press('Control+z')
  await expect(bob.getByTestId('song-title')).toHaveValue('Night drive')
  await expect(bob.getByTestId('track-name')).toHaveValue('Rhodes')
  await expect(alice.getByTestId('clip')).toHaveCount(1)

  // A third bandmate, arriving later, loads the saved song from the server.
  const carol = await signUpUser(browser, 'Carol')
  await acceptInvite(carol, link)
  await expect(carol.getByTestId('track-name')).toHaveValue('Rhodes')
  await expect(carol.getByTestId('clip')).toHaveCount(1)
})

test('a reload shows exactly the saved song', async ({ browser }) => {
  const page = await signUpUser(browser, 'Dana')
  await createSong(page, 'Reload me')
  await page.getByRole('button', { name: 'Drum track' }).click()
  await page.getByTestId('song-tempo').fill('96')
  await page.getByTestId('song-tempo').press('Enter')
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await page.reload()
  await expect(page.getByTestId('song-tempo')).toHaveValue('96')
  await expect(page.getByTestId('track')).toHaveCount(1)
  await page.screenshot({ path: '.test-results/song-after-reload.png' })
})
