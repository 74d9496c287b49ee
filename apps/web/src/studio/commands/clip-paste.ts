import { addAudioClip, addClip, type ClipRef, readTrack, type UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'
import type { CopiedClip } from './clipboard'

/**
 * Pastes copied clips at `at`, keeping their spacing, onto `targetTrackId` or else their own tracks. A MIDI
 * clip is one addClip (its notes come with it); an audio clip is one addAudioClip of the same asset, span,
 * gain and fades, as a take of its own. A paste of several clips is several undo steps. A clip whose kind
 * the target track does not hold (audio onto an instrument track, MIDI onto an audio track) refuses the
 * whole paste before anything is written, with a message that says what to select.
 */
export function pasteClips(
  doc: Y.Doc,
  me: UserOrigin,
  clips: readonly CopiedClip[],
  at: number,
  targetTrackId: string | null,
): ClipRef[] {
  const target = targetTrackId === null ? undefined : readTrack(doc, targetTrackId)
  if (target) {
    if (target.kind !== 'audio' && clips.some((c) => c.kind === 'audio'))
      throw new Error(
        `Audio clips go on audio tracks, and “${target.name}” is a MIDI track: select an audio track to paste them`,
      )
    if (target.kind === 'audio' && clips.some((c) => c.kind === 'midi'))
      throw new Error(
        `MIDI clips go on instrument and drum tracks, and “${target.name}” is an audio track: select one of those to paste them`,
      )
  }
  const refs: ClipRef[] = []
  for (const copied of clips) {
    const track = target?.id ?? copied.trackId
    if (!readTrack(doc, track)) continue
    const start = at + copied.offset
    if (copied.kind === 'audio') {
      const { clip } = copied
      const { clipId } = addAudioClip(doc, me, track, {
        asset: clip.asset,
        start,
        offset: clip.offset,
        length: clip.length,
        name: clip.name,
        gainDb: clip.gainDb,
        fadeIn: clip.fadeIn,
        fadeOut: clip.fadeOut,
        // Where the audio came from stays true of the copy: who recorded or imported it.
        provenance: clip.provenance,
      })
      refs.push({ trackId: track, clipId })
      continue
    }
    const { clip } = copied
    const { clipId } = addClip(doc, me, track, {
      start,
      length: clip.length,
      name: clip.name,
      loopLength: clip.loopLength,
      notes: clip.notes.map((n) => ({
        pitch: n.pitch,
        start: n.start,
        duration: n.duration,
        velocity: n.velocity,
      })),
    })
    refs.push({ trackId: track, clipId })
  }
  return refs
}
