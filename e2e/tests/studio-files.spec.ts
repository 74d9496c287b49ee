import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { openSongAs } from './helpers/open-song'
import { expect, test } from './helpers/test'

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'two-tracks-100bpm-3-4.mid')

/** The notes of every clip, as the piano roll describes them, track by track. */
async function notesOfSong(page: Page): Promise<string[]> {
  const out: string[] = []
  const clips = page.getByTestId('clip')
  for (let i = 0; i < (await clips.count()); i++) {
    await clips.nth(i).dblclick()
    const roll = page.getByTestId('piano-roll')
    await expect(roll).toBeVisible()
    await expect(roll).toHaveAttribute('data-notes', /\d/)
    out.push((await roll.getAttribute('data-notes')) ?? '')
  }
  return out
}

test('MIDI import of a small file, export that re-imports to the same notes, and a non-silent WAV', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const a = await openSongAs(browser)
  const page = a.page

  await page.getByTestId('midi-input').setInputFiles(fixture)
  await expect(page.getByTestId('track')).toHaveCount(2)
  await expect(page.getByTestId('song-tempo')).toHaveValue('100')
  await expect(page.getByLabel('Time signature')).toHaveValue('3/4')
  const imported = await notesOfSong(page)
  expect(imported.join(' ')).toContain('60:0:480')

  const midiDownload = page.waitForEvent('download')
  await page.getByTestId('export-midi').click()
  const mid = await midiDownload
  expect(mid.suggestedFilename()).toMatch(/\.mid$/)
  const midPath = await mid.path()

  // A fresh song imports the exported file: the same notes, track by track.
  const b = await openSongAs(browser)
  await b.page.getByTestId('midi-input').setInputFiles(midPath)
  await expect(b.page.getByTestId('track')).toHaveCount(2)
  expect(await notesOfSong(b.page)).toEqual(imported)

  // WAV of the whole song, with the progress bar while it renders.
  const wavDownload = page.waitForEvent('download')
  await page.getByTestId('export-wav').click()
  const wav = await wavDownload
  expect(wav.suggestedFilename()).toMatch(/\.wav$/)
  const bytes = readFileSync(await wav.path())
  expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF')
  expect(bytes.subarray(8, 12).toString('ascii')).toBe('WAVE')
  // 16-bit PCM after the 44-byte header: some sample must be well above silence.
  let peak = 0
  for (let i = 44; i + 1 < bytes.length; i += 2) peak = Math.max(peak, Math.abs(bytes.readInt16LE(i)))
  expect(peak).toBeGreaterThan(1000)
  await page.screenshot({ path: '.test-results/studio-midi-imported.png' })
  await a.context.close()
  await b.context.close()
})
