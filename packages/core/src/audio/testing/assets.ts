/* Test assets for the audio tests: clicks and sines as audio clips of a song, their buffers in a cache. */
import { type AddAudioClipInput, type AudioAsset, addAudioClip, addTrack } from '../../song/index'
import { AssetBufferCache } from '../asset-buffers'
import { loadTone } from '../node'
import { buildSong, user } from './songs'

export const RATE = 48_000
const BPM = 120

export const hashOf = (c: string) => c.repeat(64)

/** A mono AudioBuffer of `samples` (node-web-audio-api's class, on globalThis once Tone is loaded). */
export const bufferOf = (samples: Float32Array<ArrayBuffer>): AudioBuffer => {
  const buffer = new AudioBuffer({ length: samples.length, sampleRate: RATE, numberOfChannels: 1 })
  buffer.copyToChannel(samples, 0)
  return buffer
}

/** `seconds` of silence with one-sample clicks of 0.5 at the given sample indices. */
export const clicks = (seconds: number, at: readonly number[]): Float32Array<ArrayBuffer> => {
  const samples = new Float32Array(Math.round(seconds * RATE))
  for (const i of at) samples[i] = 0.5
  return samples
}

export const sine = (seconds: number, amplitude = 0.4, frequency = 1_000): Float32Array<ArrayBuffer> =>
  Float32Array.from(
    { length: Math.round(seconds * RATE) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / RATE),
  )

export const assetRecord = (c: string, samples: Float32Array): AudioAsset => ({
  hash: hashOf(c),
  name: `asset ${c}`,
  format: 'wav',
  sampleRate: RATE,
  channels: 1,
  frames: samples.length,
  durationSeconds: samples.length / RATE,
})

export interface Placed {
  readonly asset: string
  readonly samples: Float32Array<ArrayBuffer>
  readonly clip: Omit<AddAudioClipInput, 'asset' | 'provenance'>
}

/** A song at 120 bpm with an audio track per list of clips, plus a cache holding every asset's buffer. */
export const audioSong = async (tracks: readonly (readonly Placed[])[]) => {
  await loadTone()
  const { doc } = buildSong(BPM, [])
  const cache = new AssetBufferCache()
  const trackIds: string[] = []
  const clipIds: string[][] = []
  for (const clips of tracks) {
    const trackId = addTrack(doc, user, { kind: 'audio' })
    trackIds.push(trackId)
    clipIds.push(
      clips.map(({ asset, samples, clip }) => {
        cache.set(hashOf(asset), bufferOf(samples))
        return addAudioClip(doc, user, trackId, {
          ...clip,
          asset: hashOf(asset),
          provenance: { kind: 'import', fileName: `${asset}.wav` },
          assetRecord: assetRecord(asset, samples),
        }).clipId
      }),
    )
  }
  return { doc, cache, trackIds, clipIds }
}
