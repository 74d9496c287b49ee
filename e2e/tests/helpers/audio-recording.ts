import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, expect, type Page } from '@playwright/test'
import { CHROMIUM } from '../../chromium'
import { openSongAs } from './open-song'

/*
 * Recording through Chromium's fake capture device: it plays e2e/fixtures/clicks-and-sine.wav (a 440 Hz
 * sine with a click every 0.5 s, written by fixtures/make-clicks-and-sine.ts) into the microphone. A spec
 * records with `test.use({ launchOptions: FAKE_MICROPHONE })`.
 */

export const FAKE_SIGNAL = fileURLToPath(new URL('../../fixtures/clicks-and-sine.wav', import.meta.url))

export const FAKE_MICROPHONE = {
  ...CHROMIUM,
  args: [
    ...CHROMIUM.args,
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${FAKE_SIGNAL}`,
    '--autoplay-policy=no-user-gesture-required',
  ],
}

/**
 * The input latency stored as if the Calibrate button had measured it: the fake device is not a loopback
 * (its input is the file, not the speakers), so compensation is applied from this figure, and its accuracy
 * is measured by the unit tests (core latency.test.ts, take-assembly.test.ts).
 */
export const LATENCY_MS = 20

/** Stores a calibration for every input the page can see, as the Calibrate button would. */
async function storeCalibration(page: Page): Promise<void> {
  await page.evaluate(async (ms) => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true })
    for (const t of stream.getTracks()) t.stop()
    const devices = await navigator.mediaDevices.enumerateDevices()
    const ids = new Set([
      '',
      'default',
      ...devices.filter((d) => d.kind === 'audioinput').map((d) => d.deviceId),
    ])
    for (const id of ids)
      localStorage.setItem(
        `ensemble.inputLatency.${id}`,
        JSON.stringify({ offsetMs: ms, confidence: 1, measuredAt: new Date().toISOString() }),
      )
  }, LATENCY_MS)
}

/**
 * A new song with a new audio track, armed on the fake microphone with the stored calibration; count-in
 * and punch set as asked (both off by default).
 */
export async function openArmedSong(
  browser: Browser,
  options: { countIn?: boolean; punch?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; songId: string }> {
  const opened = await openSongAs(browser)
  const { page } = opened
  await storeCalibration(page)
  await page.getByRole('button', { name: 'Audio track' }).click()
  const bar = page.getByTestId('audio-record-bar')
  await expect(bar).toBeVisible()
  await bar.getByRole('checkbox', { name: 'Count-in' }).setChecked(options.countIn ?? false)
  await bar.getByRole('checkbox', { name: 'Punch' }).setChecked(options.punch ?? false)
  await page.getByTestId('arm').click()
  await expect(page.getByTestId('arm')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('latency')).toHaveText(`${LATENCY_MS.toFixed(1)} ms measured`)
  // The meter moves with the fake device's signal.
  await expect
    .poll(async () => Number(await page.getByTestId('input-meter').getAttribute('data-level-db')))
    .toBeGreaterThan(-20)
  return opened
}

/** Presses Record and waits until `seconds` of the take are recorded (after any count-in). */
export async function startTake(page: Page, seconds: number): Promise<void> {
  await page.getByTestId('record-audio').click()
  await expect(page.getByTestId('record-audio')).toContainText(`Rec ${seconds} s`, { timeout: 15_000 })
}

/** Records a take of at least `seconds` and stops it. */
export async function recordTake(page: Page, seconds: number): Promise<void> {
  await startTake(page, seconds)
  await page.getByTestId('record-audio').click()
}
