import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodeWav } from '@ensemble/core/audio'
import { expect, type Locator, type Page, test } from '@playwright/test'
import { openSongAs } from './helpers/open-song'

/*
 * Audio files reaching the band: a WAV dropped onto the arrangement (a real drop: a DataTransfer holding a
 * File, dragenter/dragover/drop on the lane at a point) lands as a clip there, as long as the audio; a
 * file that only pretends to be audio is refused by name. A bandmate sees the uploader's clip as
 * "uploading n %" while the upload runs (A's PATCH requests are held back so the state lasts), then as
 * stored, told by the server the moment the audio is stored.
 */

const fixture = fileURLToPath(new URL('../fixtures/clicks-and-sine.wav', import.meta.url))
const fixtureBytes = readFileSync(fixture)

/** Drops files on `target` at (x, y) on the page, as a file dragged from the desktop arrives. */
async function dropFiles(
  target: Locator,
  at: { x: number; y: number },
  files: { name: string; type: string; bytes: Buffer }[],
): Promise<void> {
  await target.evaluate(
    (el, { at, files }) => {
      const transfer = new DataTransfer()
      for (const f of files) {
        const binary = atob(f.base64)
        const bytes = new Uint8Array(binary.length)
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
        transfer.items.add(new File([bytes], f.name, { type: f.type }))
      }
      for (const type of ['dragenter', 'dragover', 'drop'])
        el.dispatchEvent(
          new DragEvent(type, {
            bubbles: true,
            cancelable: true,
            dataTransfer: transfer,
            clientX: at.x,
            clientY: at.y,
          }),
        )
    },
    { at, files: files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString('base64') })) },
  )
}

/** Adds an audio track and gives its lane, with the arrangement's bar width and beat width in pixels. */
async function audioLane(page: Page): Promise<{ lane: Locator; barPx: number; beatPx: number }> {
  await page.getByRole('button', { name: 'Audio track' }).click()
  const lane = page.getByTestId('lane').last()
  await expect(lane).toBeVisible()
  const lanes = page.locator('.st-lanes')
  const px = (name: string) =>
    lanes.evaluate((el, n) => Number.parseFloat(getComputedStyle(el).getPropertyValue(n)), name)
  return { lane, barPx: await px('--bar-px'), beatPx: await px('--beat-px') }
}

test('a WAV dropped on a lane lands at the drop position, as long as the audio; a fake one is refused by name', async ({
  browser,
}) => {
  test.setTimeout(90_000)
  const a = await openSongAs(browser)
  const { lane, barPx, beatPx } = await audioLane(a.page)
  const box = (await lane.boundingBox())!
  // Just past the start of bar 3: the clip snaps to the beat, so it starts at bar 3 exactly.
  await dropFiles(lane, { x: box.x + 2 * barPx + 3, y: box.y + box.height / 2 }, [
    { name: 'clicks-and-sine.wav', type: 'audio/wav', bytes: fixtureBytes },
  ])
  const clip = a.page.getByTestId('audio-clip')
  await expect(clip).toHaveCount(1)
  await expect(clip).toHaveAttribute('aria-label', 'Audio clip clicks-and-sine.wav')
  await expect(clip.getByTestId('waveform')).toBeVisible()
  const clipBox = (await clip.boundingBox())!
  expect(Math.abs(clipBox.x - (box.x + 2 * barPx))).toBeLessThanOrEqual(1)
  // As long as the file plays at the song's tempo (the tempo itself untouched).
  const bpm = Number(await a.page.getByTestId('song-tempo').inputValue())
  const wav = decodeWav(new Uint8Array(fixtureBytes))
  const seconds = (wav.channels[0]?.length ?? 0) / wav.sampleRate
  expect(Math.abs(clipBox.width - seconds * (bpm / 60) * beatPx)).toBeLessThanOrEqual(1.5)
  await expect(clip).toHaveAttribute('data-audio', 'stored', { timeout: 30_000 })

  await dropFiles(lane, { x: box.x + 6 * barPx, y: box.y + box.height / 2 }, [
    { name: 'lyrics.wav', type: 'audio/wav', bytes: Buffer.from('these are my lyrics, not audio') },
  ])
  await expect(a.page.getByRole('alert').filter({ hasText: 'lyrics.wav' })).toContainText(
    'lyrics.wav is not an audio file this studio reads',
  )
  await expect(a.page.getByTestId('audio-clip')).toHaveCount(1)
  await a.context.close()
})

test('a bandmate sees the clip "uploading n %" while the upload runs, then stored, told by the server', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const a = await openSongAs(browser)
  const b = await openSongAs(browser, a.songId)
  // A's upload is held at its first PATCH (the bytes) until the test lets it go.
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let held = 0
  await a.page.route('**/assets/uploads/**', async (route) => {
    if (route.request().method() === 'PATCH') {
      held++
      await released
    }
    await route.continue()
  })
  const { lane, barPx } = await audioLane(a.page)
  const box = (await lane.boundingBox())!
  await dropFiles(lane, { x: box.x + barPx, y: box.y + box.height / 2 }, [
    { name: 'clicks-and-sine.wav', type: 'audio/wav', bytes: fixtureBytes },
  ])

  const seen = b.page.getByTestId('audio-clip')
  await expect(seen).toHaveCount(1)
  await expect(seen.getByTestId('upload-progress')).toHaveText(/^uploading \d+ %$/)
  await expect(seen).toHaveAttribute('data-audio', 'pending')
  // The peaks went first, so B draws the waveform while the audio is still held back.
  await expect(seen.getByTestId('waveform')).toBeVisible()
  await expect.poll(() => held).toBeGreaterThan(0)
  const hash = (await seen.getAttribute('data-asset'))!
  expect((await b.page.request.head(`/api/projects/${a.songId}/assets/${hash}`)).status()).toBe(404)
  await expect(seen).toHaveAttribute('data-audio', 'pending')

  release()
  // Well inside the 30 s fallback: B learns it from the server's notice.
  await expect(seen).toHaveAttribute('data-audio', 'stored', { timeout: 15_000 })
  await expect(seen.getByTestId('upload-progress')).toHaveCount(0)
  await expect(seen.getByTestId('audio-pending')).toHaveCount(0)
  const got = await b.page.request.get(`/api/projects/${a.songId}/assets/${hash}`)
  expect(got.status()).toBe(200)
  expect(Buffer.from(await got.body()).equals(fixtureBytes)).toBe(true)
  await a.context.close()
  await b.context.close()
})
