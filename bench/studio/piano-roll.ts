/**
 * Piano roll with 10,000 notes in Chromium: frame times while scrolling and zooming with the mouse wheel,
 * and (b) a remote edit: from browser A's click that draws a note to browser B's piano roll drawing it.
 *
 *   pnpm --filter @ensemble/web build && pnpm --filter @ensemble/bench studio-roll [-- --notes 10000 --edits 30]
 *
 * The 10k-note clip is written by a collaborator in Node (core's addTrack/addClip over the y-websocket
 * protocol), as a bandmate's import would. Frame times are requestAnimationFrame timestamp deltas in the
 * page, over wheel gestures sent by Playwright (vertical scroll, Shift+wheel horizontal, Ctrl+wheel zoom);
 * the roll's own draw time comes from the `data-draw-ms` it sets after each draw. The remote-edit time is
 * B's wall clock when its canvas's `data-draw-count` moves with the new note in `data-notes` (set in the
 * same frame as the pixels), minus A's wall clock at the pointerup that committed it; both pages run on
 * this machine's clock.
 */
import { addClip, addTrack, type NoteInput, PPQ, UserOrigin } from '@ensemble/core'
import type { Page } from 'playwright-core'
import { percentile } from '../collab/measure'
import { arg } from './command-line'
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

const NOTES = Number(arg('notes', '10000'))
const EDITS = Number(arg('edits', '30'))
const BAR = PPQ * 4

/** A dense, deterministic part: 16th-note arpeggios and chords over 4 octaves, NOTES notes in all. */
function denseNotes(count: number): { notes: NoteInput[]; bars: number } {
  const perBar = 64
  const bars = Math.ceil(count / perBar)
  const notes: NoteInput[] = []
  for (let i = 0; i < count; i++) {
    const bar = Math.floor(i / perBar)
    const k = i % perBar
    const step = Math.floor(k / 4)
    notes.push({
      pitch: 48 + ((step * 5 + (k % 4) * 7 + bar) % 36),
      start: bar * BAR + step * (PPQ / 4),
      duration: PPQ / 4 + (k % 4) * (PPQ / 8),
      velocity: 40 + ((i * 37) % 87),
    })
  }
  return { notes, bars }
}

const stats = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? Number.NaN }
}

/** Starts recording rAF deltas and the roll's draw times in the page. */
const startFrames = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __frames: { deltas: number[]; draws: number[]; stop: boolean } }
    const canvas = document.querySelector('[data-testid="piano-roll"]') as HTMLCanvasElement
    // Each gesture's loop holds its own record: an earlier loop must stop, not count into the next one.
    const frames = { deltas: [] as number[], draws: [] as number[], stop: false }
    w.__frames = frames
    let last = 0
    let lastCount = canvas.dataset.drawCount
    const tick = (t: number) => {
      if (frames.stop) return
      if (last > 0) frames.deltas.push(t - last)
      last = t
      if (canvas.dataset.drawCount !== lastCount) {
        lastCount = canvas.dataset.drawCount
        frames.draws.push(Number(canvas.dataset.drawMs))
      }
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })

const stopFrames = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __frames: { deltas: number[]; draws: number[]; stop: boolean } }
    w.__frames.stop = true
    return { deltas: w.__frames.deltas, draws: w.__frames.draws }
  })

async function wheelGesture(page: Page, kind: 'scroll' | 'pan' | 'zoom', steps: number) {
  const roll = page.getByTestId('piano-roll')
  const box = (await roll.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 40)
  const modifier = kind === 'pan' ? 'Shift' : kind === 'zoom' ? 'Control' : null
  if (modifier) await page.keyboard.down(modifier)
  for (let i = 0; i < steps; i++) {
    // Back and forth, so the view stays over the notes.
    const sign = Math.floor(i / (steps / 4)) % 2 === 0 ? 1 : -1
    await page.mouse.wheel(0, sign * (kind === 'zoom' ? 100 : 60))
  }
  if (modifier) await page.keyboard.up(modifier)
}

const browser = await launchChromium()
const server = await startStudioServer()
try {
  console.log(`piano-roll bench: ${NOTES} notes, Chromium ${browser.version()}; ${describeMachine()}`)
  const a = await newPlayer(browser, server.base, 'alice')
  const b = await newPlayer(browser, server.base, 'bob')
  const songId = await shareSong(server.base, a, [b])
  await openStudio(a, server.base, songId)
  await openStudio(b, server.base, songId)

  // The big clip, written by a collaborator in Node; a small one for the remote-edit measurement.
  const seeder = await collabClient(server, songId, a.userId)
  const user = new UserOrigin('bench-seeder')
  const { notes, bars } = denseNotes(NOTES)
  const big = addTrack(seeder.doc, user, { kind: 'instrument', name: 'Dense', instrument: 'piano' })
  addClip(seeder.doc, user, big, { start: 0, length: bars * BAR, notes })
  const small = addTrack(seeder.doc, user, { kind: 'instrument', name: 'Edits', instrument: 'pluck' })
  addClip(seeder.doc, user, small, { start: 0, length: 4 * BAR, notes: [] })

  // (a) Frame times over the 10k-note clip (`--remote-only` skips them).
  const page = a.page
  await page.getByTestId('clip').first().waitFor()
  await page.getByTestId('clip').first().dblclick()
  await page.locator(`[data-testid="piano-roll"][aria-label*="${NOTES} notes"]`).waitFor({ timeout: 60_000 })
  await sleep(1000)
  const gestures = process.argv.includes('--remote-only') ? [] : (['scroll', 'pan', 'zoom'] as const)
  console.log(
    '| gesture | wheel events | frames | p50 frame (ms) | p95 frame (ms) | max frame (ms) | dropped | fps | draws | p50 draw (ms) | p95 draw (ms) |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|---|')
  for (const kind of gestures) {
    const steps = 120
    await startFrames(page)
    const started = Date.now()
    await wheelGesture(page, kind, steps)
    await sleep(300)
    const { deltas, draws } = await stopFrames(page)
    const seconds = (Date.now() - started) / 1000
    const f = stats(deltas)
    const d = stats(draws)
    // A frame that missed its vsync shows as a delta of two refresh intervals or more (60 Hz: 33.3 ms).
    const dropped = deltas.filter((t) => t > 25).length / Math.max(1, deltas.length)
    console.log(
      `| ${kind} | ${steps} | ${deltas.length} | ${f.p50.toFixed(1)} | ${f.p95.toFixed(1)} | ${f.max.toFixed(1)} | ${(dropped * 100).toFixed(1)} % | ${(deltas.length / seconds).toFixed(1)} | ${draws.length} | ${d.p50.toFixed(2)} | ${d.p95.toFixed(2)} |`,
    )
  }

  // (b) Remote edit to pixels: A draws a note in the small clip, B has the same clip open.
  for (const p of [a.page, b.page]) {
    await p.keyboard.press('Escape')
    await p.getByTestId('clip').nth(1).dblclick()
    await p.locator('[data-testid="piano-roll"][aria-label^="Piano roll, 0 notes"]').waitFor()
  }
  await a.page.evaluate(() => {
    const w = window as unknown as { __downAt: number[] }
    w.__downAt = []
    window.addEventListener('pointerup', () => w.__downAt.push(performance.timeOrigin + performance.now()), {
      capture: true,
    })
  })
  const latencies: number[] = []
  let lost = 0
  const roll = a.page.getByTestId('piano-roll')
  const box = (await roll.boundingBox())!
  // Zoom A's roll all the way out (the gestures above leave it anywhere), so the clip's cells all fit.
  await a.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await a.page.keyboard.down('Control')
  for (let i = 0; i < 40; i++) await a.page.mouse.wheel(0, 100)
  await a.page.keyboard.up('Control')
  await sleep(300)
  const topPitch = Number(await roll.getAttribute('data-top-pitch'))
  const pxPerQuarter = Number(await roll.getAttribute('data-px-per-quarter'))
  // Every edit on its own (pitch, quarter) cell inside the view: a click on an existing note would delete it.
  // The zoom is whatever the gestures above left, so fit the cells to the view: rows first, then columns.
  const quarters = Math.max(1, Math.floor((box.width - 56) / pxPerQuarter) - 1)
  const rows = Math.max(1, Math.floor((box.height - 22 - 76) / 14) - 3)
  if (rows * quarters < EDITS)
    throw new Error(`only ${rows * quarters} free cells in view for ${EDITS} edits`)
  for (let i = 0; i < EDITS; i++) {
    const pitch = topPitch - 2 - (i % rows)
    const quarter = Math.floor(i / rows)
    // B records the wall clock of the frame whose draw first shows one more note. The observer is in place
    // before A clicks: set up in the same call as the click, a fast B could draw before it listened.
    await b.page.evaluate((count) => {
      const canvas = document.querySelector('[data-testid="piano-roll"]') as HTMLCanvasElement
      ;(window as unknown as { __seen: Promise<number> }).__seen = new Promise<number>((resolve) => {
        const observer = new MutationObserver(() => {
          const notes = canvas.dataset.notes ? canvas.dataset.notes.split(',').length : 0
          if (notes >= count) {
            observer.disconnect()
            resolve(performance.timeOrigin + performance.now())
          }
        })
        observer.observe(canvas, { attributes: true, attributeFilter: ['data-draw-count'] })
        // A lost edit shows as NaN rather than a hung bench.
        setTimeout(() => resolve(Number.NaN), 10_000)
      })
    }, i + 1)
    await a.page.mouse.click(
      box.x + 56 + quarter * pxPerQuarter + 4,
      box.y + 22 + (topPitch - pitch) * 14 + 7,
    )
    const shownAt = await b.page.evaluate(() => (window as unknown as { __seen: Promise<number> }).__seen)
    const editAt = await a.page.evaluate(() => (window as unknown as { __downAt: number[] }).__downAt.at(-1)!)
    if (Number.isNaN(shownAt)) lost++
    else latencies.push(shownAt - editAt)
    await sleep(150)
  }
  const r = stats(latencies)
  console.log(
    `\nremote edit to pixels (${latencies.length} edits, ${lost} not seen in 10 s): p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`,
  )
  seeder.close()
} finally {
  await browser.close()
  await server.stop()
}
