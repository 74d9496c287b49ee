/** The rows of the piano roll in view: `topPitch` is the highest visible pitch, `rows` how many fit. */
export interface PitchView {
  readonly topPitch: number
  readonly rows: number
}

/** How many ghost notes sit above and below the rows in view (so the roll can say where to look). */
export function offscreenGhosts(
  pitches: readonly number[],
  view: PitchView,
): { readonly above: number; readonly below: number } {
  const bottom = view.topPitch - view.rows + 1
  let above = 0
  let below = 0
  for (const p of pitches) {
    if (p > view.topPitch) above++
    else if (p < bottom) below++
  }
  return { above, below }
}

/**
 * The `topPitch` that brings ghost notes into view, or null when they all are already. The range is
 * centred. One taller than the view shows its top (a harmony's highest voice sits nearest the melody),
 * unless `towards` says which end the person asked for (the hint they clicked: "… below ↓" shows the
 * lowest notes), so each click on the hint moves the view.
 */
export function scrollToShow(
  pitches: readonly number[],
  view: PitchView,
  towards: 'above' | 'below' = 'above',
): number | null {
  if (pitches.length === 0) return null
  const { above, below } = offscreenGhosts(pitches, view)
  if (above === 0 && below === 0) return null
  const hi = Math.max(...pitches)
  const lo = Math.min(...pitches)
  const tall = hi - lo + 1 > view.rows
  const wanted = !tall
    ? Math.ceil((hi + lo) / 2) + Math.floor(view.rows / 2)
    : towards === 'below' && below > 0
      ? lo + view.rows - 2
      : hi + 1
  return Math.max(Math.min(view.rows - 1, 127), Math.min(127, wanted))
}
