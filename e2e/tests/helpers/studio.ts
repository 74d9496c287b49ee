import { expect, type Locator, type Page } from '@playwright/test'

/** Piano-roll layout constants (apps/web/src/studio/piano-roll/roll-geometry.ts) for pointer positions. */
const KEYS_WIDTH = 56
const RULER_HEIGHT = 22
const ROW_HEIGHT = 14

export interface RollNote {
  readonly pitch: number
  readonly start: number
  readonly duration: number
  readonly velocity: number
}

export async function addInstrumentTrack(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Instrument track' }).click()
}

/** Double-clicks an empty spot of a lane (bar `bar`, 0-based) to make a one-bar clip. */
export async function createClipByDoubleClick(page: Page, laneIndex: number, bar = 0): Promise<void> {
  const lane = page.getByTestId('lane').nth(laneIndex)
  const box = (await lane.boundingBox())!
  const barPx = 28 * 4
  await page.mouse.dblclick(box.x + bar * barPx + barPx / 2, box.y + box.height / 2)
}

export async function openClipEditor(page: Page, clip: Locator): Promise<void> {
  await clip.dblclick()
  await expect(page.getByTestId('piano-roll').or(page.getByTestId('drum-grid'))).toBeVisible()
}

/** Where a note at this pitch and quarter-note position is on the page. */
export async function rollPoint(
  page: Page,
  pitch: number,
  quarter: number,
): Promise<{ x: number; y: number }> {
  const roll = page.getByTestId('piano-roll')
  const box = (await roll.boundingBox())!
  // The roll publishes its scroll and zoom on the canvas, so pointer maths follows what it draws.
  const topPitch = Number(await roll.getAttribute('data-top-pitch'))
  const pxPerQuarter = Number(await roll.getAttribute('data-px-per-quarter'))
  return {
    x: box.x + KEYS_WIDTH + quarter * pxPerQuarter,
    y: box.y + RULER_HEIGHT + (topPitch - pitch) * ROW_HEIGHT + ROW_HEIGHT / 2,
  }
}

export async function clickRoll(
  page: Page,
  pitch: number,
  quarter: number,
  modifiers: { shift?: boolean } = {},
) {
  const p = await rollPoint(page, pitch, quarter)
  if (modifiers.shift) await page.keyboard.down('Shift')
  await page.mouse.click(p.x, p.y)
  if (modifiers.shift) await page.keyboard.up('Shift')
}

export async function dragRoll(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y)
  await page.mouse.down()
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 })
  await page.mouse.move(to.x, to.y, { steps: 4 })
  await page.mouse.up()
}

/** The notes the piano roll is drawing, from its data-notes description. */
export async function rollNotes(page: Page): Promise<RollNote[]> {
  const data = (await page.getByTestId('piano-roll').getAttribute('data-notes')) ?? ''
  if (data === '') return []
  return data.split(',').map((s) => {
    const [pitch, start, duration, velocity] = s.split(':').map(Number)
    return { pitch: pitch!, start: start!, duration: duration!, velocity: velocity! }
  })
}

/** Waits until the roll draws exactly these notes (compared on the fields given), sorted by start, pitch. */
export async function expectRollNotes(page: Page, expected: readonly Partial<RollNote>[]): Promise<void> {
  const keys = Object.keys(expected[0] ?? { pitch: 0 }) as (keyof RollNote)[]
  await expect
    .poll(async () => {
      const notes = await rollNotes(page)
      return [...notes]
        .sort((a, b) => a.start - b.start || a.pitch - b.pitch)
        .map((n) => Object.fromEntries(keys.map((k) => [k, n[k]])))
    })
    .toEqual(expected)
}
