/*
 * Where an audio clip's audio sits on the song timeline. The start is in ticks and the audio in seconds, so
 * cutting a clip converts at the song's tempo and moves the offset with the cut: every piece plays each
 * sample at the song time the whole clip played it.
 */
import { secondsToTicks, ticksToSeconds } from '../music/time'
import { newId } from './ids'
import type { AudioClip } from './schema'
import { clipsOf, createAudioClipMap, writeAudioSpan, type YRecord } from './ydoc'

/** Where a clip ends on the timeline at `bpm`, in (fractional) ticks. */
export const audioClipEnd = (clip: Pick<AudioClip, 'start' | 'length'>, bpm: number): number =>
  clip.start + secondsToTicks(clip.length, bpm)

/**
 * The pieces of a clip cut at song ticks strictly inside it, left to right. The first keeps the clip's id;
 * each later one gets a new id and the offset of the audio that sounds at its start, so every sample plays
 * at the same song time as before. The first piece keeps the fade in, the last the fade out.
 */
export const cutAudioClip = (clip: AudioClip, atTicks: readonly number[], bpm: number): AudioClip[] => {
  const end = audioClipEnd(clip, bpm)
  const cuts = [...new Set(atTicks)].filter((t) => t > clip.start && t < end).sort((a, b) => a - b)
  const edges = [clip.start, ...cuts]
  const { movedFrom: _movedFrom, ...fields } = clip
  return edges.map((at, i) => {
    const offset = clip.offset + ticksToSeconds(at - clip.start, bpm)
    const next = edges[i + 1]
    const length = next === undefined ? clip.offset + clip.length - offset : ticksToSeconds(next - at, bpm)
    const first = i === 0
    const last = next === undefined
    const fadeIn = first ? Math.min(clip.fadeIn, length) : 0
    const piece: AudioClip = {
      ...fields,
      id: first ? clip.id : newId(),
      start: at,
      offset,
      length,
      fadeIn,
      fadeOut: last ? Math.min(clip.fadeOut, length - fadeIn) : 0,
    }
    // Comments on the clip's earlier ids stay with the first piece, which keeps its id.
    return first && clip.movedFrom !== undefined ? { ...piece, movedFrom: clip.movedFrom } : piece
  })
}

/**
 * Writes the pieces from cutAudioClip: the first over the original record, the others as new clips.
 * `writeActive` writes the first piece's `active` even when unchanged (see chooseTake).
 */
export const writePieces = (
  track: YRecord,
  y: YRecord,
  original: AudioClip,
  pieces: readonly AudioClip[],
  writeActive = false,
) => {
  const [first, ...rest] = pieces
  if (first === undefined) return
  if (rest.length > 0) writeAudioSpan(y, first)
  if (first.fadeOut !== original.fadeOut) y.set('fadeOut', first.fadeOut)
  if (first.fadeIn !== original.fadeIn) y.set('fadeIn', first.fadeIn)
  if (writeActive || first.active !== original.active) y.set('active', first.active)
  for (const piece of rest) clipsOf(track).set(piece.id, createAudioClipMap(piece))
}
