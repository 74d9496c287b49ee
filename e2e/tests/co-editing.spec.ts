import { randomUUID } from 'node:crypto'
import { type Browser, expect, type Page, test } from '@playwright/test'

async function openSong(browser: Browser, songId: string): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`/songs/${songId}`)
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  return page
}

test('two bandmates co-edit a song and each sees the other’s changes, durably saved', async ({ browser }) => {
  const songId = randomUUID()
  const alice = await openSong(browser, songId)
  const bob = await openSong(browser, songId)

  // Both see each other.
  await expect(alice.getByTestId('presence').locator('li')).toHaveCount(2)
  await expect(bob.getByTestId('presence').locator('li')).toHaveCount(2)

  await alice.getByTestId('song-title').fill('Midnight Train')
  await alice.getByTestId('song-title').press('Enter')
  await expect(bob.getByTestId('song-title')).toHaveValue('Midnight Train')

  await bob.getByRole('button', { name: '+ Instrument track' }).click()
  await expect(alice.getByTestId('track')).toHaveCount(1)

  await bob.getByTestId('track-name').fill('Rhodes')
  await bob.getByTestId('track-name').press('Enter')
  await expect(alice.getByTestId('track-name')).toHaveValue('Rhodes')

  await bob.getByRole('button', { name: '+ Clip' }).click()
  await expect(alice.getByTestId('clip')).toHaveCount(1)

  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await expect(bob.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')

  // Undo is per user: Alice's undo takes back her title, and nothing of Bob's.
  await alice.locator('body').click({ position: { x: 5, y: 300 } })
  await alice.keyboard.press('Control+z')
  await expect(bob.getByTestId('song-title')).toHaveValue('Untitled')
  await expect(bob.getByTestId('track-name')).toHaveValue('Rhodes')
  await expect(alice.getByTestId('clip')).toHaveCount(1)

  // A third visitor, arriving later, loads the saved song from the server.
  const carol = await openSong(browser, songId)
  await expect(carol.getByTestId('track-name')).toHaveValue('Rhodes')
  await expect(carol.getByTestId('clip')).toHaveCount(1)
})

test('a reload shows exactly the saved song', async ({ browser }) => {
  const songId = randomUUID()
  const page = await openSong(browser, songId)
  await page.getByRole('button', { name: '+ Drum track' }).click()
  await page.getByTestId('song-tempo').fill('96')
  await page.getByTestId('song-tempo').press('Enter')
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await page.reload()
  await expect(page.getByTestId('song-tempo')).toHaveValue('96')
  await expect(page.getByTestId('track')).toHaveCount(1)
  await page.screenshot({ path: '.test-results/song-after-reload.png' })
})
