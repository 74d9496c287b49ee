/*
 * A seamless loop from a render: what rings past the loop's end (releases, reverb) is folded back onto its
 * start, as it would sound when the loop plays again, so the last sample runs on into the first with no
 * click. A loop render is `renderSong(song, { tailSeconds: LOOP_TAIL_SECONDS })` folded to the song's length.
 */
import type { RenderedAudio } from './render'

/** Rendered past the loop's end and folded back: long enough for a pad's release and the reverbs. */
export const LOOP_TAIL_SECONDS = 4

/** The audio cut to `frames`, with every sample past it added onto the start (wrapping again if the tail is longer). */
export const foldLoopTail = (audio: RenderedAudio, frames: number): RenderedAudio => {
  if (!Number.isInteger(frames) || frames <= 0) throw new RangeError('A loop needs at least one frame')
  return {
    sampleRate: audio.sampleRate,
    channels: audio.channels.map((channel) => {
      const out = new Float32Array(frames)
      for (let i = 0; i < channel.length; i++) out[i % frames] = (out[i % frames] ?? 0) + (channel[i] ?? 0)
      return out
    }),
  }
}

export interface LoopSeam {
  /** The jump from the last sample to the first, full scale 1 (the largest over the channels). */
  readonly jump: number
  /** The largest step between neighbouring samples within SEAM_NEIGHBOURHOOD of the loop point. */
  readonly local: number
  /** Whether the seam passes the threshold check: jump <= SEAM_STEP_FACTOR x local AND jump <= SEAM_MAX_JUMP. */
  readonly clean: boolean
}

/**
 * The seam may jump at most this many times the largest neighbouring step: on repeat, a seamless loop's jump
 * is one more step of the same signal. Measured on the maker's loops (6 moods, 22.05 kHz, the harmony-and-bass
 * stem and the mix): folded, the jump is 0.09-0.47 of the largest neighbouring step.
 */
export const SEAM_STEP_FACTOR = 1
/**
 * And never more than this, full scale 1 (-26 dBFS), whatever the neighbours: a bright, loud passage has large
 * steps of its own, and against them alone a real click can hide (three cuts of those loops without the tail
 * folded jumped 0.09-0.14, under their own steps). Chosen from measured legit material: the folded seams of the
 * same loops jump 0.0025-0.024, so this is twice the largest; a fixed -40 dBFS (0.01) failed on a legitimately
 * bright pad. docs/ARCHITECTURE.md "Background music" gives the figures.
 */
export const SEAM_MAX_JUMP = 0.05

/** Samples on each side of the loop point whose steps say how fast the audio moves there. */
export const SEAM_NEIGHBOURHOOD = 64

/**
 * How the loop point sounds, per sample: the jump from the last sample to the first (the largest over the
 * channels), and for scale the largest step between neighbouring samples within SEAM_NEIGHBOURHOOD of the
 * loop point on either side (not across it). Played on repeat, a seamless loop's jump is one more step of
 * the same signal, about as large as its neighbours; a click is a jump well beyond them (a cut low note jumps
 * by its amplitude where its steps are a small part of it), or, in loud bright audio, a jump beyond the
 * absolute bound. `clean` is the threshold check of both (SEAM_STEP_FACTOR, SEAM_MAX_JUMP).
 */
export const loopSeam = (audio: RenderedAudio): LoopSeam => {
  let jump = 0
  let local = 0
  for (const channel of audio.channels) {
    const n = channel.length
    if (n < 2) continue
    jump = Math.max(jump, Math.abs((channel[0] ?? 0) - (channel[n - 1] ?? 0)))
    const reach = Math.min(SEAM_NEIGHBOURHOOD, Math.floor(n / 2))
    for (let i = 1; i < reach; i++) {
      local = Math.max(local, Math.abs((channel[i] ?? 0) - (channel[i - 1] ?? 0)))
      local = Math.max(local, Math.abs((channel[n - i] ?? 0) - (channel[n - i - 1] ?? 0)))
    }
  }
  return { jump, local, clean: jump <= SEAM_STEP_FACTOR * local && jump <= SEAM_MAX_JUMP }
}
