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

/**
 * How the loop point sounds, per sample: the jump from the last sample to the first (the largest over the
 * channels), and for scale the 99.9th percentile of the jumps between neighbouring samples inside the audio.
 * A click is a jump far above what the music itself does from one sample to the next.
 */
export const loopSeam = (audio: RenderedAudio): { jump: number; typical: number } => {
  let jump = 0
  const steps: number[] = []
  for (const channel of audio.channels) {
    const n = channel.length
    if (n < 2) continue
    jump = Math.max(jump, Math.abs((channel[0] ?? 0) - (channel[n - 1] ?? 0)))
    for (let i = 1; i < n; i++) steps.push(Math.abs((channel[i] ?? 0) - (channel[i - 1] ?? 0)))
  }
  steps.sort((a, b) => a - b)
  return { jump, typical: steps[Math.floor(steps.length * 0.999)] ?? 0 }
}
