import { readTrack, secondsToTicks, ticksToSeconds, type UserOrigin } from '@ensemble/core'
import type * as Y from 'yjs'
import type { AssetRecord } from '../audio/asset-publish'
import { addAudioClipToSong } from '../audio/song-audio'
import type { TakeChunk, TakeMeta } from './take-store'

/*
 * From stored chunks to the audio of a clip. Each sample carries the audio clock's frame it was captured
 * at; the performer played it `latencyMs` earlier (the round trip the calibration measured), and the song
 * clock says which tick was sounding then. The clip keeps the samples played between the record start (or
 * punch in) and the punch out, so it starts exactly on `keep.fromTick`. Pure, so tests can feed it chunks.
 */

export interface AssembledTake {
  readonly sampleRate: number
  readonly channels: Float32Array[]
  /** Where the clip starts on the timeline. */
  readonly startTick: number
  /** Chunks missing between the first and last (silence was put in their place). */
  readonly gaps: number
}

/** The audio-clock time at which a sample played at `tick` arrives in the input. */
export const arrivalTime = (meta: TakeMeta, tick: number) =>
  meta.anchor.time + ticksToSeconds(tick - meta.anchor.tick, meta.anchor.bpm) + meta.latencyMs / 1000

/** The tick that was sounding when the performer played the sample captured at `frame`. */
export const tickOfFrame = (meta: TakeMeta, frame: number): number =>
  meta.anchor.tick +
  secondsToTicks(frame / meta.sampleRate - meta.latencyMs / 1000 - meta.anchor.time, meta.anchor.bpm)

export function assembleTake(meta: TakeMeta, chunks: readonly TakeChunk[]): AssembledTake | null {
  const sorted = [...chunks].filter((c) => (c.channels[0]?.length ?? 0) > 0).sort((a, b) => a.frame - b.frame)
  const first = sorted[0]
  const last = sorted[sorted.length - 1]
  if (!first || !last) return null
  const firstFrame = first.frame
  const endFrame = last.frame + (last.channels[0]?.length ?? 0)
  const from = Math.max(firstFrame, Math.round(arrivalTime(meta, meta.keep.fromTick) * meta.sampleRate))
  const to =
    meta.keep.toTick === null
      ? endFrame
      : Math.min(endFrame, Math.round(arrivalTime(meta, meta.keep.toTick) * meta.sampleRate))
  if (to <= from) return null
  const channels = Array.from({ length: meta.channels }, () => new Float32Array(to - from))
  let gaps = 0
  let expected = firstFrame
  for (const chunk of sorted) {
    if (chunk.frame > expected) gaps++
    const length = chunk.channels[0]?.length ?? 0
    expected = Math.max(expected, chunk.frame + length)
    const a = Math.max(from, chunk.frame)
    const b = Math.min(to, chunk.frame + length)
    if (b <= a) continue
    for (let c = 0; c < meta.channels; c++) {
      const source = chunk.channels[c] ?? chunk.channels[0]
      if (source) channels[c]?.set(source.subarray(a - chunk.frame, b - chunk.frame), a - from)
    }
  }
  // The sample at `from` was played at this tick: `keep.fromTick` unless the capture began later.
  return { sampleRate: meta.sampleRate, channels, startTick: Math.max(0, tickOfFrame(meta, from)), gaps }
}

/**
 * The assembled pass as a clip in the song, where it was played, and the take that plays over its region.
 * Once only: a track that already holds a clip of this take's audio (the tab closed after the clip reached
 * the song but before the take store noted it, and "Put it in the song" finishes the take again) keeps that
 * clip. The clip is known by its audio and the moment its pass started (two silent passes of one length
 * would share a hash).
 */
export function addTakeClip(
  doc: Y.Doc,
  me: UserOrigin,
  meta: TakeMeta,
  take: AssembledTake,
  asset: AssetRecord,
): { clipId: string; takeGroupId: string } {
  const existing = readTrack(doc, meta.trackId)?.audioClips.find(
    (c) =>
      c.asset === asset.hash &&
      c.provenance.kind === 'recording' &&
      c.provenance.recordedAt === meta.startedAt,
  )
  if (existing) return { clipId: existing.id, takeGroupId: existing.takeGroupId }
  return addAudioClipToSong(doc, me, {
    trackId: meta.trackId,
    start: Math.round(take.startTick),
    asset,
    source: {
      kind: 'recording',
      recordedAt: meta.startedAt,
      input: meta.inputLabel,
      latencyMs: meta.latencyMs,
    },
    ...(meta.takeGroupId ? { takeGroupId: meta.takeGroupId } : {}),
    // The earlier takes of the group fall silent over what this pass was recorded over, not just where its
    // audio turned out to lie (see core's addAudioClip).
    recordedOver: {
      start: Math.round(meta.keep.fromTick),
      ...(meta.keep.toTick === null ? {} : { end: Math.round(meta.keep.toTick) }),
    },
  })
}
