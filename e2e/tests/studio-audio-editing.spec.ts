import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from '@playwright/test'
import { openSongAs } from './helpers/open-song'
import { expect, test } from './helpers/test'

/*
 * Editing audio clips in the arrangement with the pointer and the MIDI clips' shortcuts: select, trim the
 * right edge, move (also onto another audio track), split at the playhead, duplicate, delete and undo;
 * then a stem of the selected track exported as a WAV with the sine in it.
 */

const fixture = fileURLToPath(new URL('../fixtures/clicks-and-sine.wav', import.meta.url))

const box = async (l: Locator) => (await l.boundingBox())!

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y)
  await page.mouse.down()
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 })
  await page.mouse.move(to.x, to.y, { steps: 4 })
  await page.mouse.up()
}

test('audio clips are trimmed, moved across audio tracks, split, duplicated, deleted and exported as a stem', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const { page, context } = await openSongAs(browser)
  await page.getByTestId('import-audio').setInputFiles(fixture)
  const clips = page.getByTestId('audio-clip')
  await expect(clips).toHaveCount(1)
  await expect(clips.getByTestId('upload-progress')).toHaveCount(0, { timeout: 30_000 })
  const clip = clips.first()

  // A click selects it.
  const before = await box(clip)
  await page.mouse.click(before.x + before.width / 2, before.y + before.height / 2)
  await expect(clip).toHaveAttribute('data-selected', 'true')

  // The right edge dragged left hides the end of the audio.
  await drag(
    page,
    { x: before.x + before.width - 2, y: before.y + before.height / 2 },
    { x: before.x + before.width - 2 - 4 * 28, y: before.y + before.height / 2 },
  )
  await expect.poll(async () => (await box(clip)).width).toBeLessThan(before.width - 3 * 28)
  const trimmed = await box(clip)

  // A second audio track; the clip dragged down onto it, and a bar later.
  await page.getByRole('button', { name: 'Audio track' }).click()
  const lanes = page.getByTestId('lane')
  await expect(lanes).toHaveCount(2)
  const second = await box(lanes.nth(1))
  await drag(
    page,
    { x: trimmed.x + trimmed.width / 2, y: trimmed.y + trimmed.height / 2 },
    { x: trimmed.x + trimmed.width / 2 + 4 * 28, y: second.y + second.height / 2 },
  )
  await expect(lanes.nth(1).getByTestId('audio-clip')).toHaveCount(1)
  await expect(lanes.nth(0).getByTestId('audio-clip')).toHaveCount(0)
  const moved = await box(clips.first())
  expect(moved.x).toBeGreaterThan(trimmed.x + 3 * 28)
  expect(moved.width).toBeCloseTo(trimmed.width, 0)
  await expect(clips.first()).toHaveAttribute('data-selected', 'true')

  // Shift-click on the lane puts the playhead inside the clip and keeps the selection; Ctrl+E splits there.
  await page.keyboard.down('Shift')
  await page.mouse.click(moved.x + moved.width / 2, second.y + second.height - 2)
  await page.keyboard.up('Shift')
  await page.keyboard.press('Control+e')
  await expect(clips).toHaveCount(2)
  await page.keyboard.press('Control+d')
  await expect(clips).toHaveCount(4)
  await page.keyboard.press('Delete')
  await expect(clips).toHaveCount(2)
  await page.keyboard.press('Control+z')
  await expect(clips).toHaveCount(4)
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved', { timeout: 30_000 })

  // The stem of the track with the clips: a WAV named after it, with the sine in it.
  await page.mouse.click(second.x + second.width - 5, second.y + second.height - 2)
  const download = page.waitForEvent('download')
  await page.getByTestId('export-stem').click()
  const wav = await download
  expect(wav.suggestedFilename()).toMatch(/Audio.*\.wav$/)
  const bytes = readFileSync(await wav.path())
  expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF')
  let peak = 0
  for (let i = 44; i + 1 < bytes.length; i += 2) peak = Math.max(peak, Math.abs(bytes.readInt16LE(i)))
  expect(peak).toBeGreaterThan(1000)
  await context.close()
})
