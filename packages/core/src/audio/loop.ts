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

/** Samples on each side of the loop point whose steps say how fast the audio moves there. */
export const SEAM_NEIGHBOURHOOD = 64

/**
 * How the loop point sounds, per sample: the jump from the last sample to the first (the largest over the
 * channels), and for scale the largest step between neighbouring samples within SEAM_NEIGHBOURHOOD of the
 * loop point on either side (not across it). Played on repeat, a seamless loop's jump is one more step of
 * the same signal, about as large as its neighbours; a click is a jump well beyond them (a cut low note jumps
 * by its amplitude where its steps are a small part of it).
 */
export const loopSeam = (audio: RenderedAudio): { jump: number; local: number } => {
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
  return { jump, local }
}
