import { openSongAs } from './helpers/open-song'
import { addInstrumentTrack } from './helpers/studio'
import { expect, test } from './helpers/test'

/*
 * The AI partner in the studio (issue 24): Alice plays chords with the computer keys while the song plays,
 * the bass partner plays along on its own track (its notes are planned before their beats: none late), and
 * Keep turns what it played into a proposal Bob sees, named "AI partner bass".
 */
test('the bass partner follows the computer keys, and Keep makes a proposal the band sees', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const a = await openSongAs(browser, undefined, 'Alice')
  const b = await openSongAs(browser, a.songId, 'Bob')
  const alice = a.page
  await addInstrumentTrack(alice)
  await addInstrumentTrack(alice)
  const panel = alice.getByTestId('partner-panel')
  await panel.getByLabel('Partner', { exact: true }).selectOption('bass')
  await alice.getByTestId('computer-keys').click()
  await alice.keyboard.press(' ')
  await expect(alice.getByTestId('play')).toHaveAttribute('aria-pressed', 'true')
  await panel.getByRole('button', { name: 'Start partner' }).click()
  // A C major chord (A D G on the home row: C E G), held for about two bars at 120 bpm.
  for (const key of ['a', 'd', 'g']) await alice.keyboard.down(key)
  await expect
    .poll(async () => Number((await panel.getByTestId('partner-played').textContent())?.split(' ')[0]), {
      timeout: 15_000,
    })
    .toBeGreaterThanOrEqual(4)
  for (const key of ['a', 'd', 'g']) await alice.keyboard.up(key)
  // A window planned after its deadline is dropped, never played late; how many were is printed, not
  // asserted: on a loaded CI box one main-thread stall drops one (CI7), which says nothing of the partner.
  console.log(
    `bass partner: late windows dropped ${await panel.getByTestId('partner-played').getAttribute('data-late')}`,
  )
  await panel.getByRole('button', { name: 'Stop partner' }).click()
  await alice.keyboard.press(' ')
  await panel.getByRole('button', { name: 'Keep' }).click()
  await expect(panel.getByRole('status')).toContainText('Kept as a proposal: AI partner bass', {
    timeout: 15_000,
  })
  await expect(b.page.getByTestId('proposal-overlay')).toContainText('AI partner bass', { timeout: 15_000 })
  await a.context.close()
  await b.context.close()
})

/*
 * Call and response in the studio: the Continue model runs in the partner worker (weights fetched from the
 * studio and checked against weights.json). Alice plays a 2-bar phrase on the computer keys; the answer
 * sounds within one beat after the phrase's end (both read from the panel's data-*; the gap is printed), and Keep
 * makes the proposal "AI partner call and response". The page's frame intervals and the worker's model ms
 * per beat during the run are printed for docs/BENCHMARKS.md (figures, not assertions).
 */
test('call and response answers a phrase from the partner worker, and Keep makes a proposal', async ({
  browser,
}) => {
  test.setTimeout(180_000)
  const a = await openSongAs(browser, undefined, 'Alice')
  const alice = a.page
  await addInstrumentTrack(alice)
  const panel = alice.getByTestId('partner-panel')
  await panel.getByLabel('Partner', { exact: true }).selectOption('call-response')
  await alice.getByTestId('computer-keys').click()
  await alice.keyboard.press(' ')
  await expect(alice.getByTestId('play')).toHaveAttribute('aria-pressed', 'true')
  // Frame intervals while the song plays, before the partner starts and while it runs (figures only).
  await alice.evaluate(() => {
    const w = window as unknown as { framesBefore: number[]; partnerFrames: number[]; partnerOn: boolean }
    w.framesBefore = []
    w.partnerFrames = []
    w.partnerOn = false
    let last = performance.now()
    const frame = (t: number) => {
      ;(w.partnerOn ? w.partnerFrames : w.framesBefore).push(t - last)
      last = t
      if (w.partnerFrames.length < 100_000) requestAnimationFrame(frame)
    }
    requestAnimationFrame(frame)
  })
  await alice.waitForTimeout(3000)
  await alice.evaluate(() => {
    ;(window as unknown as { partnerOn: boolean }).partnerOn = true
  })
  // For docs/BENCHMARKS.md only: PARTNER_PAGE_STALL_MS=n blocks the page's main thread for n ms out of every
  // 2n while the partner runs (a busy page), which the partner worker's own timer does not wait for.
  const stallMs = Number(process.env.PARTNER_PAGE_STALL_MS ?? 0)
  if (stallMs > 0)
    await alice.evaluate((ms) => {
      setInterval(() => {
        const end = performance.now() + ms
        while (performance.now() < end) {}
      }, 2 * ms)
    }, stallMs)
  await panel.getByRole('button', { name: 'Start partner' }).click()
  await expect(panel.getByRole('button', { name: 'Stop partner' })).toBeVisible({ timeout: 60_000 })
  // Two bars of quarter notes at 120 bpm (500 ms a beat): C D E F G F E D on the home row, legato (each key
  // goes down before the last comes up), so the only silence is the phrase's end, however slow the machine.
  const phrase = ['a', 's', 'd', 'f', 'g', 'f', 'd', 's']
  for (const [i, key] of phrase.entries()) {
    await alice.keyboard.down(key)
    const before = phrase[i - 1]
    if (before !== undefined && before !== key) await alice.keyboard.up(before)
    await alice.waitForTimeout(500)
  }
  await alice.keyboard.up('s')
  const played = panel.getByTestId('partner-played')
  // Waits for the answer without failing yet, so the figures below are printed either way.
  const notesPlayed = async () => Number((await played.textContent())?.split(' ')[0])
  for (let i = 0; i < 40 && (await notesPlayed()) < 4; i++) await alice.waitForTimeout(500)
  const frames = await alice.evaluate(() => {
    const w = window as unknown as { framesBefore: number[]; partnerFrames: number[] }
    return { before: w.framesBefore.slice(1), during: w.partnerFrames.slice(1) }
  })
  const summary = (all: number[]) => {
    const sorted = [...all].sort((x, y) => x - y)
    const at = (q: number) =>
      (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1)
    return `n ${sorted.length}, p50 ${at(0.5)} p95 ${at(0.95)} p99 ${at(0.99)} max ${at(1)} ms, over 20 ms ${sorted.filter((f) => f > 20).length}`
  }
  console.log(
    `partner figures: model ms/beat ${await played.getAttribute('data-model-ms-per-beat')}, late windows ${await played.getAttribute('data-late')} (in the worker ${await played.getAttribute('data-late-in-worker')}) of ${await played.getAttribute('data-windows')}; frame intervals before the partner: ${summary(frames.before)}; with the partner: ${summary(frames.during)}`,
  )
  const phraseEnd = Number(await played.getAttribute('data-heard-until'))
  const firstBeat = Number(await played.getAttribute('data-first-beat'))
  console.log(`partner answer: first note ${(firstBeat - phraseEnd).toFixed(2)} beat after the phrase's end`)
  // The answer comes after the phrase, from the worker, through the studio's instrument, and starts within
  // one beat of the phrase's end (gap 0.125 + lookahead 0.375, rounded up to the model's 0.5-beat frame):
  // the worker plans on its own timer and song clock, so a busy page no longer makes its windows late.
  expect(await notesPlayed()).toBeGreaterThanOrEqual(1)
  expect(firstBeat).toBeGreaterThan(phraseEnd)
  expect(firstBeat - phraseEnd).toBeLessThanOrEqual(1)
  await panel.getByRole('button', { name: 'Stop partner' }).click()
  await alice.keyboard.press(' ')
  await panel.getByRole('button', { name: 'Keep' }).click()
  await expect(panel.getByRole('status')).toContainText('Kept as a proposal: AI partner call and response', {
    timeout: 15_000,
  })
  await expect(alice.getByTestId('proposal-overlay')).toContainText('AI partner call and response', {
    timeout: 15_000,
  })
  await a.context.close()
})
