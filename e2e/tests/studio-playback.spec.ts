import { readFileSync } from 'node:fs'
import { addClip, addTrack, PPQ, setTempo, setTitle } from '@ensemble/core'
import type { Download, Page } from '@playwright/test'
import { addDenseArrangement } from '../../bench/studio/dense-song'
import { writeAsBandmate } from './helpers/bandmate'
import { openSongAs } from './helpers/open-song'
import { expect, test } from './helpers/test'

const BAR = PPQ * 4

/**
 * Uncaught page errors and console errors, as they happen. The browser's own favicon request is not the
 * page's doing (the site has no favicon yet) and is left out.
 */
function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    const url = message.location().url
    if (message.type() !== 'error' || new URL(url, 'http://x').pathname === '/favicon.ico') return
    errors.push(`console: ${message.text()} (${url})`)
  })
  return errors
}

interface Wav {
  readonly sampleRate: number
  readonly channels: number
  /** Interleaved 16-bit samples. */
  readonly samples: Int16Array
}

/** The studio writes 16-bit PCM WAV with a 44-byte header. */
async function readWav(download: Download): Promise<Wav> {
  const bytes = readFileSync(await download.path())
  expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF')
  expect(bytes.subarray(8, 12).toString('ascii')).toBe('WAVE')
  expect(bytes.readUInt16LE(34)).toBe(16)
  const data = bytes.subarray(44)
  return {
    channels: bytes.readUInt16LE(22),
    sampleRate: bytes.readUInt32LE(24),
    samples: new Int16Array(data.buffer, data.byteOffset, Math.floor(data.length / 2)),
  }
}

/** The loudest sample between two times, as a share of full scale. */
function peakBetween(wav: Wav, fromSeconds: number, toSeconds: number): number {
  const from = Math.floor(fromSeconds * wav.sampleRate) * wav.channels
  const to = Math.min(wav.samples.length, Math.floor(toSeconds * wav.sampleRate) * wav.channels)
  let peak = 0
  for (let i = from; i < to; i++) peak = Math.max(peak, Math.abs(wav.samples[i]!))
  return peak / 32768
}

const seconds = (wav: Wav) => wav.samples.length / wav.channels / wav.sampleRate

test('a song with two hits on one drum step, same-pitch overlaps and held notes plays and exports without an error', async ({
  browser,
}) => {
  test.setTimeout(180_000)
  const { page, songId, context } = await openSongAs(browser)
  const errors = watchErrors(page)

  // The pairs the Drums plugin writes on one step (closed + open hat, pedal + closed hat), snare + rim, both
  // kicks, in every bar of two overlapping clips (so every pitch also sounds twice at once); a piano and a
  // lead with a one-tick note on the same pitch and start as a longer one, and a note held past its clip's
  // end. Every bar, because live playback starts a moment after Play while the audio engine loads.
  const step = PPQ / 4
  const pairs = [
    [42, 46],
    [44, 42],
    [38, 37],
    [35, 36],
    [46, 42],
  ]
  const drums = [0, 1, 2, 3].flatMap((bar) =>
    pairs.flatMap(([a, b], i) => [
      { pitch: a!, start: bar * BAR + i * step, duration: 30, velocity: 100 },
      { pitch: b!, start: bar * BAR + i * step, duration: 1, velocity: 100 },
    ]),
  )
  const melodic = [0, 1, 2, 3].flatMap((bar) => [
    { pitch: 60, start: bar * BAR, duration: 1, velocity: 100 },
    { pitch: 60, start: bar * BAR, duration: PPQ, velocity: 100 },
    { pitch: 64, start: bar * BAR + PPQ, duration: 8 * BAR, velocity: 100 },
  ])
  await writeAsBandmate(page, songId, (doc, me) => {
    const kit = addTrack(doc, me, { kind: 'drums', name: 'Beat' })
    addClip(doc, me, kit, { start: 0, length: 4 * BAR, notes: drums })
    addClip(doc, me, kit, { start: 0, length: 4 * BAR, notes: drums })
    for (const instrument of ['piano', 'lead']) {
      const track = addTrack(doc, me, { kind: 'instrument', name: instrument, instrument })
      addClip(doc, me, track, { start: 0, length: 4 * BAR, notes: melodic })
      addClip(doc, me, track, { start: 0, length: 4 * BAR, notes: melodic })
    }
  })
  await expect(page.getByTestId('track')).toHaveCount(3)

  // Play with the click on (a monophonic synth of its own) and the mixer open, whose master meter shows sound.
  await page.getByRole('button', { name: 'Mixer', exact: true }).click()
  await page.getByRole('button', { name: /Metronome/ }).click()
  await page.getByTestId('play').click()
  await expect(page.getByTestId('play')).toHaveAttribute('aria-pressed', 'true')
  // The master meter's floor (-60 dB) is silence.
  const master = page.getByTestId('mixer').getByTestId('meter').last()
  await expect.poll(async () => Number(await master.getAttribute('data-level-db'))).toBeGreaterThan(-55)
  // Through the bars of doubled hits (the song ends after bar 4).
  const bar = async () => Number.parseInt((await page.getByTestId('position').textContent()) ?? '', 10)
  await expect.poll(bar, { timeout: 30_000 }).toBeGreaterThanOrEqual(5)
  await page.getByTestId('play').click()
  await expect(page.getByTestId('play')).toHaveAttribute('aria-pressed', 'false')
  expect(errors).toEqual([])

  // The file is named after the song's title, with what a file system refuses replaced.
  const title = page.getByTestId('song-title')
  await title.fill('Night Drive / take 2')
  await title.press('Enter')
  const download = page.waitForEvent('download')
  await page.getByTestId('export-wav').click()
  const wav = await readWav(await download)
  expect(wav.channels).toBe(2)
  expect((await download).suggestedFilename()).toBe('Night Drive - take 2.wav')
  // Four bars at 120 bpm and a second of tail; the doubled hits open every bar.
  expect(seconds(wav)).toBeCloseTo(9, 1)
  for (const at of [0, 2, 4, 6]) expect(peakBetween(wav, at, at + 0.5)).toBeGreaterThan(0.05)
  expect(errors).toEqual([])
  await context.close()
})

test('the 3-minute, 16-track song exports with progress as it renders; Cancel stops an export and leaves no file', async ({
  browser,
}) => {
  test.setTimeout(600_000)
  const { page, songId, context } = await openSongAs(browser)
  const errors = watchErrors(page)
  const bars = 90
  await writeAsBandmate(page, songId, (doc, me) => {
    setTitle(doc, me, 'Dense arrangement')
    addDenseArrangement(doc, me, bars)
  })
  await expect(page.getByTestId('track')).toHaveCount(16)
  const downloads: Download[] = []
  page.on('download', (d) => downloads.push(d))

  // Cancel once the render is under way: no file, and the export is ready again.
  await page.getByTestId('export-wav').click()
  const progress = page.getByTestId('render-progress')
  const shown = () => progress.evaluate((bar: HTMLProgressElement) => bar.value)
  await expect.poll(shown, { timeout: 60_000 }).toBeGreaterThan(0)
  await page.getByTestId('cancel-export').click()
  await expect(progress).toBeHidden()
  await expect(page.getByTestId('export-wav')).toBeEnabled()

  // Export in full, sampling the progress bar while it renders.
  await page.evaluate(() => {
    const seen: number[] = []
    ;(window as unknown as { __progress: number[] }).__progress = seen
    const sample = () => {
      const bar = document.querySelector<HTMLProgressElement>('[data-testid="render-progress"]')
      if (bar && bar.value !== seen.at(-1)) seen.push(bar.value)
      requestAnimationFrame(sample)
    }
    requestAnimationFrame(sample)
  })
  const download = page.waitForEvent('download', { timeout: 540_000 })
  await page.getByTestId('export-wav').click()
  const file = await download
  expect(file.suggestedFilename()).toBe('Dense arrangement.wav')
  // The cancelled export left nothing: this is the only file.
  expect(downloads).toHaveLength(1)
  const wav = await readWav(file)
  // 90 bars at 120 bpm (180 s) and a second of tail, sound from the first bar to the last.
  expect(seconds(wav)).toBeCloseTo(181, 0)
  expect(peakBetween(wav, 0, 2)).toBeGreaterThan(0.05)
  expect(peakBetween(wav, 178, 180)).toBeGreaterThan(0.05)
  // The bar moved through the render, never backwards.
  const seen = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress)
  const between = seen.filter((v) => v > 0 && v < 1)
  expect(between.length).toBeGreaterThan(5)
  expect(between).toEqual([...between].sort((a, b) => a - b))
  await expect(progress).toBeHidden()
  expect(errors).toEqual([])
  await context.close()
})

test('a song too long for one WAV file is refused with a clear message before any rendering', async ({
  browser,
}) => {
  const { page, songId, context } = await openSongAs(browser)
  const errors = watchErrors(page)
  // A clip far out on the timeline at the slowest tempo: bar 2,500 at 20 bpm is 8.3 hours in.
  await writeAsBandmate(page, songId, (doc, me) => {
    setTempo(doc, me, 20)
    const track = addTrack(doc, me, { kind: 'instrument', name: 'Far away', instrument: 'piano' })
    addClip(doc, me, track, {
      start: 2500 * BAR,
      length: BAR,
      notes: [{ pitch: 60, start: 0, duration: PPQ, velocity: 100 }],
    })
  })
  await expect(page.getByTestId('track')).toHaveCount(1)
  const downloads: Download[] = []
  page.on('download', (d) => downloads.push(d))
  await page.getByTestId('export-wav').click()
  await expect(page.getByRole('alert').filter({ hasText: 'WAV' })).toContainText(
    'a WAV file holds at most 6.8',
  )
  await expect(page.getByTestId('export-wav')).toBeEnabled()
  await expect(page.getByTestId('render-progress')).toBeHidden()
  expect(downloads).toEqual([])
  expect(errors).toEqual([])
  await context.close()
})
