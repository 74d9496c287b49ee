import type { ViewState } from '../view/view-store'

/**
 * The tracks a stem export renders: those of the selected clips (or notes), else the selected track; in the song's
 * track order, and only tracks still in the song (a bandmate may have deleted one meanwhile).
 */
export function stemTrackIds(
  view: Pick<ViewState, 'selection' | 'selectedTrackId'>,
  songTrackIds: readonly string[],
): string[] {
  const s = view.selection
  const chosen = new Set(
    s.kind === 'clips'
      ? s.clips.map((c) => c.trackId)
      : s.kind === 'notes'
        ? [s.trackId]
        : view.selectedTrackId === null
          ? []
          : [view.selectedTrackId],
  )
  return songTrackIds.filter((id) => chosen.has(id))
}
