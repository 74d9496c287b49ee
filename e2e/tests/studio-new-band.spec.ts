import { writeFileSync } from 'node:fs'
import type { Locator, Page } from '@playwright/test'
import { createSong, signUpUser } from './helpers/accounts'
import { openSongAs } from './helpers/open-song'
import {
  addInstrumentTrack,
  clickRoll,
  createClipByDoubleClick,
  expectRollNotes,
  openClipEditor,
} from './helpers/studio'
import { expect, test } from './helpers/test'

/*
 * Issue 19, "the studio as a new band meets it": a song keeps the name it was made with, Continue with its
 * defaults continues the selected clip, accepted notes never hide the clip they came from, a Groove MIDI
 * beat shows its drums by name, and AI-made notes are still AI-made after a MIDI round trip.
 */

const Q = 480
const MELODY = [60, 62, 64, 67].map((pitch, i) => ({ pitch, start: i * Q }))

/** A format-0 drum file as the Groove MIDI Dataset writes them: channel 10, no title, Roland articulations. */
function grooveLikeMidi(): Buffer {
  const hits = [36, 22, 38, 26, 36, 22, 38, 58]
  const events: number[] = []
  // On 8ths: each note on right after the previous note off, each note off 240 ticks (varint 0x81 0x70) later.
  for (const pitch of hits) events.push(0, 0x99, pitch, 100, 0x81, 0x70, 0x89, pitch, 0)
  events.push(0, 0xff, 0x2f, 0)
  const track = Buffer.from(events)
  const header = Buffer.from([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(track.length)
  return Buffer.concat([header, Buffer.from('MTrk', 'ascii'), length, track])
}

const clipIds = async (page: Page): Promise<string[]> =>
  page.getByTestId('clip').evaluateAll((els) => els.map((el) => el.getAttribute('data-clip-id') ?? ''))

const selectedClip = (page: Page): Locator => page.locator('[data-testid="clip"][data-selected="true"]')

test('a song keeps one name: created as Night Drive, renamed in the studio or the settings', async ({
  browser,
}) => {
  test.setTimeout(90_000)
  const page = await signUpUser(browser, 'Ana')
  const songId = await createSong(page, 'Night Drive')
  await expect(page.getByTestId('song-title')).toHaveValue('Night Drive')

  await page.getByTestId('song-title').fill('Night Drive (slow)')
  await page.getByTestId('song-title').press('Enter')
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  // The list reads the project's row, which follows the saved title a moment after the commit.
  await expect(async () => {
    await page.goto('/')
    await expect(page.getByTestId('project').first()).toContainText('Night Drive (slow)', { timeout: 1000 })
  }).toPass({ timeout: 20_000 })

  await page.goto(`/projects/${songId}/settings`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Night Drive (slow)')
  await page.getByLabel('Project name').fill('Midnight Drive')
  await page.getByRole('button', { name: 'Rename' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Midnight Drive')
  await page.goto(`/songs/${songId}`)
  await expect(page.getByTestId('song-title')).toHaveValue('Midnight Drive')
  await page.context().close()
})

test('Continue with its defaults continues the selected clip after it, both clips stay selectable, and the notes stay AI-made through a MIDI round trip', async ({
  browser,
}) => {
  test.setTimeout(180_000)
  const a = await openSongAs(browser, undefined, 'Ben')
  const page = a.page
  await addInstrumentTrack(page)
  await createClipByDoubleClick(page, 0, 0)
  await openClipEditor(page, page.getByTestId('clip').first())
  for (const n of MELODY) await clickRoll(page, n.pitch, n.start / Q + 0.2)
  await expectRollNotes(page, MELODY)

  // The panel opens on the clip being edited (bar 1) and says Continue goes on after it.
  await page.getByRole('button', { name: 'AI suggestions for Keys' }).click()
  const panel = page.getByTestId('ai-panel')
  await expect(panel.getByLabel('Plugin')).toBeVisible({ timeout: 30_000 })
  await panel.getByLabel('Plugin').selectOption({ label: 'Continue' })
  await expect(panel.getByLabel('From bar')).toHaveValue('1')
  await expect(panel.getByLabel('To bar')).toHaveValue('1')
  await expect(panel.getByTestId('ai-writes-bars')).toContainText('up to bar 5')
  await panel.getByRole('button', { name: 'Generate' }).click()
  await expect(panel.getByTestId('proposal').or(panel.getByTestId('ai-error'))).toBeVisible({
    timeout: 45_000,
  })
  await expect(panel.getByTestId('ai-error')).toHaveCount(0)
  await panel.getByRole('button', { name: 'Accept' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(0)

  // The continuation is a clip of its own after the melody's, not on top of it: both can be clicked.
  await page.getByRole('button', { name: 'Close AI panel' }).click()
  await expect(page.getByTestId('clip')).toHaveCount(2)
  const [source, continuation] = await clipIds(page)
  const first = (await page.locator(`[data-clip-id="${source}"]`).boundingBox())!
  const second = (await page.locator(`[data-clip-id="${continuation}"]`).boundingBox())!
  expect(second.x).toBeGreaterThanOrEqual(first.x + first.width - 1)
  for (const id of [source, continuation, source]) {
    const box = (await page.locator(`[data-clip-id="${id}"]`).boundingBox())!
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    await expect(selectedClip(page)).toHaveAttribute('data-clip-id', id!)
  }

  // Its notes are marked as a plugin's; export them, and a fresh song imports them still marked.
  await openClipEditor(page, page.locator(`[data-clip-id="${continuation}"]`))
  const made = Number(await page.getByTestId('piano-roll').getAttribute('data-ai-notes'))
  expect(made).toBeGreaterThan(0)
  const download = page.waitForEvent('download')
  await page.getByTestId('export-midi').click()
  const file = await (await download).path()
  const b = await openSongAs(browser, undefined, 'Cleo')
  await b.page.getByTestId('midi-input').setInputFiles(file)
  await expect(b.page.getByTestId('clip')).toHaveCount(1)
  await openClipEditor(b.page, b.page.getByTestId('clip').first())
  await expect(b.page.getByTestId('piano-roll')).toHaveAttribute('data-ai-notes', String(made))
  await b.page.getByTestId('piano-roll').click({ position: { x: 5, y: 5 } }) // the ruler: focus on the roll
  await b.page.keyboard.press('Control+a')
  await expect(b.page.getByTestId('note-provenance')).toContainText('Plugin studio.ensemble.continue')

  // Clips that do overlap (dragged onto each other) stay reachable: a click on the top one, already
  // selected, selects the one under it, and the next click goes back.
  const moving = (await page.locator(`[data-clip-id="${continuation}"]`).boundingBox())!
  const grabX = moving.x + 20
  const grabY = moving.y + moving.height / 2
  await page.mouse.move(grabX, grabY)
  await page.mouse.down()
  await page.mouse.move(grabX - first.width / 4, grabY, { steps: 4 })
  await page.mouse.move(grabX - first.width / 2, grabY, { steps: 4 })
  await page.mouse.up()
  const moved = (await page.locator(`[data-clip-id="${continuation}"]`).boundingBox())!
  expect(moved.x).toBeLessThan(first.x + first.width - 10)
  await expect(selectedClip(page)).toHaveAttribute('data-clip-id', continuation!)
  const overlapX = (moved.x + first.x + first.width) / 2
  for (const id of [source, continuation]) {
    // Apart in time, so two clicks are not a double-click (which opens the clip).
    await page.waitForTimeout(700)
    await page.mouse.click(overlapX, grabY)
    await expect(selectedClip(page)).toHaveAttribute('data-clip-id', id!)
  }
  await a.context.close()
  await b.context.close()
})

test('a Groove MIDI beat imports into a new song named after the file, with every drum row named', async ({
  browser,
}, testInfo) => {
  test.setTimeout(90_000)
  const a = await openSongAs(browser, undefined, 'Dee')
  const page = a.page
  const path = testInfo.outputPath('groove-beat 4-4.mid')
  writeFileSync(path, grooveLikeMidi())
  await page.getByTestId('midi-input').setInputFiles(path)
  await expect(page.getByTestId('track')).toHaveCount(1)
  await expect(page.getByTestId('song-title')).toHaveValue('groove-beat 4-4')
  await openClipEditor(page, page.getByTestId('clip').first())
  const grid = page.getByTestId('drum-grid')
  for (const name of ['Closed hat edge', 'Open hat edge', 'Floor tom rim'])
    await expect(grid.getByRole('button', { name, exact: true })).toBeVisible()
  await expect(grid).not.toContainText(/Note \d+|Percussion \d+/)
  await a.context.close()
})
