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

test('fades and clip gain are dragged on the clip, and audio clips are copied and pasted, as a bandmate sees', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const alice = await openSongAs(browser)
  const bob = await openSongAs(browser, alice.songId)
  const page = alice.page
  await page.getByTestId('import-audio').setInputFiles(fixture)
  const clip = page.getByTestId('audio-clip').first()
  await expect(clip.getByTestId('upload-progress')).toHaveCount(0, { timeout: 30_000 })
  const bobClip = bob.page.getByTestId('audio-clip').first()
  await expect(bobClip).toHaveAttribute('data-fade-in', '0')

  // The fade-in handle (top left corner) dragged two beats right: a second of fade in at 120 bpm.
  await clip.hover()
  const fadeHandle = await box(clip.getByTestId('fade-in-handle'))
  await drag(
    page,
    { x: fadeHandle.x + fadeHandle.width / 2, y: fadeHandle.y + fadeHandle.height / 2 },
    { x: fadeHandle.x + fadeHandle.width / 2 + 2 * 28, y: fadeHandle.y + fadeHandle.height / 2 },
  )
  await expect.poll(async () => Number(await bobClip.getAttribute('data-fade-in'))).toBeCloseTo(1, 1)
  expect(Number(await clip.getAttribute('data-fade-out'))).toBe(0)

  // The fade-out handle (top right corner) dragged a beat left: half a second of fade out.
  const outHandle = await box(clip.getByTestId('fade-out-handle'))
  await drag(
    page,
    { x: outHandle.x + outHandle.width / 2, y: outHandle.y + outHandle.height / 2 },
    { x: outHandle.x + outHandle.width / 2 - 28, y: outHandle.y + outHandle.height / 2 },
  )
  await expect.poll(async () => Number(await bobClip.getAttribute('data-fade-out'))).toBeCloseTo(0.5, 1)

  // The gain handle dragged 20 px up: +5 dB, shown in dB; a double-click puts it back to 0 dB; undo brings +5 back.
  const gain = clip.getByTestId('clip-gain')
  const g = await box(gain)
  await drag(
    page,
    { x: g.x + g.width / 2, y: g.y + g.height / 2 },
    { x: g.x + g.width / 2, y: g.y + g.height / 2 - 20 },
  )
  await expect(gain).toHaveText('+5.0 dB')
  await expect(bobClip).toHaveAttribute('data-gain-db', '5')
  const set = await box(gain)
  await page.mouse.dblclick(set.x + set.width / 2, set.y + set.height / 2)
  await expect(bobClip).toHaveAttribute('data-gain-db', '0')
  await page.keyboard.press('Control+z')
  await expect(bobClip).toHaveAttribute('data-gain-db', '5')

  // Copy the clip, select a second audio track by clicking its lane two bars on (the playhead goes there), paste.
  const fadeIn = await clip.getAttribute('data-fade-in')
  const asset = await clip.getAttribute('data-asset')
  const body = await box(clip)
  await page.mouse.click(body.x + body.width / 2, body.y + body.height - 6)
  await expect(clip).toHaveAttribute('data-selected', 'true')
  await page.keyboard.press('Control+c')
  await page.getByRole('button', { name: 'Audio track' }).click()
  const lanes = page.getByTestId('lane')
  await expect(lanes).toHaveCount(2)
  const second = await box(lanes.nth(1))
  await page.mouse.click(body.x + 8 * 28 + 4, second.y + second.height / 2)
  await page.keyboard.press('Control+v')
  const pasted = bob.page.getByTestId('lane').nth(1).getByTestId('audio-clip')
  await expect(pasted).toHaveCount(1)
  await expect(pasted).toHaveAttribute('data-asset', asset!)
  await expect(pasted).toHaveAttribute('data-fade-in', fadeIn!)
  await expect(pasted).toHaveAttribute('data-gain-db', '5')
  expect((await box(pasted)).x).toBeGreaterThan((await box(bobClip)).x + 7 * 28)

  // On an instrument track the paste is refused, saying why, and nothing lands there.
  await page.getByRole('button', { name: 'Instrument track' }).click()
  await expect(lanes).toHaveCount(3)
  const third = await box(lanes.nth(2))
  await page.mouse.click(third.x + 20, third.y + third.height / 2)
  await page.keyboard.press('Control+v')
  await expect(page.getByRole('alert').filter({ hasText: 'Audio clips go on audio tracks' })).toContainText(
    'select an audio track',
  )
  await expect(bob.page.getByTestId('audio-clip')).toHaveCount(2)
  await alice.context.close()
  await bob.context.close()
})
