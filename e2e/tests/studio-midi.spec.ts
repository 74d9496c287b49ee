import type { BrowserContext, Page } from '@playwright/test'
import { createSong, openSong, signUp } from './helpers/open-song'
import { addInstrumentTrack, createClipByDoubleClick, openClipEditor, rollNotes } from './helpers/studio'
import { expect, test } from './helpers/test'

/**
 * A MIDI keyboard through Web MIDI. CI has no MIDI hardware (and headless Chromium no MIDI service), so
 * the page gets a stand-in for the browser API before it loads: `navigator.requestMIDIAccess` resolves to
 * an access object with one input port, and the test fires `midimessage` events on that port as a
 * keyboard's driver would. Everything after the port (the studio's Web MIDI handler, the audio engine,
 * the recorder, the song) is the real thing.
 */
async function withMidiKeyboard(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    type Listener = (e: { data: Uint8Array }) => void
    const input = {
      id: 'stand-in-1',
      name: 'Stand-in keyboard',
      manufacturer: 'e2e',
      type: 'input',
      state: 'connected',
      connection: 'open',
      onmidimessage: null as Listener | null,
    }
    const access = {
      inputs: new Map([[input.id, input]]),
      outputs: new Map(),
      sysexEnabled: false,
      onstatechange: null,
    }
    Object.defineProperty(navigator, 'requestMIDIAccess', {
      configurable: true,
      value: () => Promise.resolve(access),
    })
    ;(window as unknown as { __midiSend: (bytes: number[]) => void }).__midiSend = (bytes) =>
      input.onmidimessage?.({ data: new Uint8Array(bytes) })
  })
}

const midi = (page: Page, bytes: number[]) =>
  page.evaluate((b) => (window as unknown as { __midiSend: (bytes: number[]) => void }).__midiSend(b), bytes)

/** Plays pitches on the stand-in keyboard: note on, held for `holdMs`, note off, then a gap. */
async function play(page: Page, pitches: readonly number[], holdMs: number, gapMs: number) {
  for (const pitch of pitches) {
    await midi(page, [0x90, pitch, 100])
    await page.waitForTimeout(holdMs)
    await midi(page, [0x80, pitch, 0])
    await page.waitForTimeout(gapMs)
  }
}

/** How lit a level meter is: the green of its bottom pixel (dark background when silent). */
const meterGreen = (page: Page, index: number) =>
  page
    .getByTestId('meter')
    .nth(index)
    .evaluate((canvas: HTMLCanvasElement) => {
      const c = canvas.getContext('2d')!
      return c.getImageData(canvas.width / 2, canvas.height - 1, 1, 1).data[1]!
    })

async function recordTake(page: Page, quantize: boolean, pitches: readonly number[]) {
  const quantizeBox = page.getByLabel('Quantize')
  if (quantize) await quantizeBox.check()
  else await quantizeBox.uncheck()
  await expect(page.getByLabel('Count-in')).toBeChecked()
  const record = page.getByTestId('record')
  await record.click()
  // The count-in shows the beats left, then recording starts.
  await expect(record).toHaveText(/●\s*\d…/)
  await expect(record).toContainText('Rec 0', { timeout: 10_000 })
  // Off the beat on purpose (120 bpm: a quarter is 500 ms), so unquantized starts are not on the grid.
  await page.waitForTimeout(130)
  await play(page, pitches, 170, 110)
  await expect(record).toContainText(`Rec ${pitches.length}`)
  await record.click()
  await expect(record).toHaveText('● Rec')
}

test('a MIDI keyboard plays the track instrument and records into the open clip with count-in', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await withMidiKeyboard(context)
  const page = await context.newPage()
  await signUp(page)
  const songId = await createSong(page)
  await openSong(page, songId)

  await addInstrumentTrack(page)
  // In bar 2, so the count-in plays the bar before it on the transport, with the metronome.
  await createClipByDoubleClick(page, 0, 1)
  const clip = page.getByTestId('clip').first()
  await openClipEditor(page, clip)
  await page.getByLabel('Clip length in bars').selectOption('4')

  await page.getByRole('button', { name: 'Mixer', exact: true }).click()
  await expect(page.getByTestId('mixer')).toBeVisible()

  // Connect: the studio finds the stand-in port.
  await page.getByRole('button', { name: /^MIDI/ }).click()
  await expect(page.getByRole('button', { name: 'MIDI · 1' })).toBeVisible()

  // Note on sounds the track's instrument: its meter lights while the key is held (the audio engine starts
  // on that first note); note off lets it fall back to silence.
  await expect.poll(() => meterGreen(page, 0)).toBeLessThan(60)
  await midi(page, [0x90, 60, 110])
  await expect.poll(() => meterGreen(page, 0), { timeout: 15_000 }).toBeGreaterThan(100)
  await midi(page, [0x80, 60, 0])
  await expect.poll(() => meterGreen(page, 0), { timeout: 15_000 }).toBeLessThan(60)

  // Quantized take: every start lands on the grid (the view snaps to quarters).
  await recordTake(page, true, [60, 64, 67])
  await expect.poll(async () => (await rollNotes(page)).map((n) => n.pitch).sort()).toEqual([60, 64, 67])
  const quantized = await rollNotes(page)
  for (const note of quantized) expect(note.start % 480).toBe(0)
  await expect(clip).toHaveAttribute('aria-label', /with 3 notes/)

  // Unquantized take into the same clip: the notes keep the times they were played at.
  await recordTake(page, false, [72, 74])
  await expect.poll(async () => (await rollNotes(page)).length).toBe(5)
  const loose = (await rollNotes(page)).filter((n) => n.pitch >= 72)
  expect(loose.map((n) => n.pitch).sort()).toEqual([72, 74])
  expect(loose.some((n) => n.start % 480 !== 0)).toBe(true)
  await page.screenshot({ path: '.test-results/studio-midi.png' })
  await context.close()
})
