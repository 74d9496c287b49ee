import { openSong, openSongAs } from './helpers/open-song'
import { expect, test } from './helpers/test'

test('edits made offline are kept in the browser and merge on reconnect, even after closing the tab', async ({
  browser,
}) => {
  const a = await openSongAs(browser)
  const b = await openSongAs(browser, a.songId)
  const alice = a.page
  const bob = b.page

  await alice.getByRole('button', { name: 'Instrument track' }).click()
  await expect(bob.getByTestId('track')).toHaveCount(1)

  // Alice loses the network and keeps working; Bob edits meanwhile.
  await a.context.setOffline(true)
  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'offline')
  await alice.getByTestId('track-name').fill('Offline keys')
  await alice.getByTestId('track-name').press('Enter')
  await alice.getByRole('button', { name: 'Add clip' }).click()
  await bob.getByRole('button', { name: 'Drum track' }).click()
  await expect(bob.getByTestId('lane')).toHaveCount(2)
  await expect(bob.getByTestId('track-name').first()).not.toHaveValue('Offline keys')

  // Back online: both edits merge, both ways.
  await a.context.setOffline(false)
  await expect(bob.getByTestId('track-name').first()).toHaveValue('Offline keys')
  await expect(alice.getByTestId('lane')).toHaveCount(2)
  await expect(bob.getByTestId('clip')).toHaveCount(1)
  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')

  // Offline again, an edit, and the tab is closed before the network returns.
  await a.context.setOffline(true)
  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'offline')
  await alice.getByRole('button', { name: 'Instrument track' }).click()
  await expect(alice.getByTestId('lane')).toHaveCount(3)
  // Give IndexedDB its write (y-indexeddb stores each update as it happens).
  await alice.waitForTimeout(300)
  await alice.close()
  await a.context.setOffline(false)
  await expect(bob.getByTestId('lane')).toHaveCount(2)

  // Reopening the song in the same browser sends what was kept; Bob sees it.
  const again = await a.context.newPage()
  await openSong(again, a.songId)
  await expect(bob.getByTestId('lane')).toHaveCount(3)
  await expect(again.getByTestId('lane')).toHaveCount(3)
  await expect(again.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await again.screenshot({ path: '.test-results/studio-offline-merged.png' })
  await a.context.close()
  await b.context.close()
})
