/**
 * WAV export in the studio, in Chromium: the dense 16-track song (bench/studio/dense-song.ts) written by a
 * collaborator in Node, then the studio's own "Export WAV" button, timed from the click to the download,
 * with the progress bar sampled on every frame meanwhile. Prints the song, wall time, speed as a multiple of
 * real time, when the progress bar first showed 50 % and 90 %, and the file's size.
 *
 * Needs `pnpm --filter @ensemble/web build` first.
 *
 *   pnpm --filter @ensemble/bench studio-export [-- --bars 90 --port 3960]
 */
import { setTitle, UserOrigin } from '@ensemble/core'
import { arg } from './command-line'
import { addDenseArrangement } from './dense-song'
import { describeMachine } from './machine'
import {
  collabClient,
  launchChromium,
  newPlayer,
  openStudio,
  shareSong,
  sleep,
  startStudioServer,
} from './studio-session'

const bars = Number(arg('bars', '90'))
const port = arg('port', '')

const browser = await launchChromium()
const server = await startStudioServer(port === '' ? undefined : Number(port))
try {
  console.log(`export bench: ${bars} bars at 120 bpm, Chromium ${browser.version()}; ${describeMachine()}`)
  const player = await newPlayer(browser, server.base, 'exporter')
  const songId = await shareSong(server.base, player, [])
  await openStudio(player, server.base, songId)
  const seeder = await collabClient(server, songId, player.userId)
  const song = addDenseArrangement(seeder.doc, new UserOrigin('bench-seeder'), bars)
  setTitle(seeder.doc, new UserOrigin('bench-seeder'), 'Export bench')
  const page = player.page
  await page
    .getByTestId('track')
    .nth(song.tracks - 1)
    .waitFor({ timeout: 120_000 })
  // Let the studio settle (the arrangement drawn, the collaborator's updates saved) before timing.
  await sleep(3000)

  await page.evaluate(() => {
    const seen: { at: number; value: number }[] = []
    ;(window as unknown as { __progress: typeof seen }).__progress = seen
    const sample = () => {
      const bar = document.querySelector<HTMLProgressElement>('[data-testid="render-progress"]')
      if (bar && bar.value !== seen.at(-1)?.value) seen.push({ at: performance.now(), value: bar.value })
      requestAnimationFrame(sample)
    }
    requestAnimationFrame(sample)
  })
  const clickedAt = await page.evaluate(() => performance.now())
  const download = page.waitForEvent('download', { timeout: 1_800_000 })
  await page.getByTestId('export-wav').click()
  const file = await download
  const wall = ((await page.evaluate(() => performance.now())) - clickedAt) / 1000
  const seen = await page.evaluate(
    () => (window as unknown as { __progress: { at: number; value: number }[] }).__progress,
  )
  const firstAt = (share: number) => {
    const hit = seen.find((s) => s.value >= share)
    return hit === undefined ? '–' : ((hit.at - clickedAt) / 1000).toFixed(1)
  }
  const { size } = await import('node:fs').then((fs) => file.path().then((p) => fs.statSync(p)))
  const audioSeconds = bars * 2 + 1
  console.log(
    '| song | tracks | notes | audio (s) | wall, click to file (s) | × real time | 50 % shown at (s) | 90 % shown at (s) | file (MB) |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|')
  console.log(
    `| ${bars} bars | ${song.tracks} | ${song.notes} | ${audioSeconds} | ${wall.toFixed(1)} | ${(audioSeconds / wall).toFixed(2)} | ${firstAt(0.5)} | ${firstAt(0.9)} | ${(size / 1e6).toFixed(1)} |`,
  )
  seeder.close()
} finally {
  await browser.close()
  await server.stop()
}
