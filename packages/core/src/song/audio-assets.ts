/*
 * The song's audio asset records: one per file hash, immutable, written before (or with) the first clip
 * that plays the file. They describe the bytes the server stores under the same hash, so every clip, take
 * and split half can be checked against the asset's length without repeating its format and rate.
 */
import type * as Y from 'yjs'
import { SongError } from './errors'
import type { EditOrigin } from './origins'
import { cached } from './read'
import { type AudioAsset, AudioAssetSchema } from './schema'
import { assetsMap, commit, parse } from './ydoc'

/** Valid asset records only: a value a hostile client wrote under a wrong key or shape reads as absent. */
const validAsset = (hash: string, value: unknown): AudioAsset | undefined => {
  const parsed = AudioAssetSchema.safeParse(value)
  return parsed.success && parsed.data.hash === hash ? parsed.data : undefined
}

/** Every valid asset record of the song, by hash. */
export const readAudioAssets = (doc: Y.Doc): Readonly<Record<string, AudioAsset>> => {
  const assets = assetsMap(doc)
  return cached(doc, assets, () => {
    // A plain object, not a Map, so a store's shallowEqual sees a new record.
    const out: Record<string, AudioAsset> = {}
    for (const [hash, value] of assets) {
      const asset = validAsset(hash, value)
      if (asset !== undefined) out[hash] = asset
    }
    return out
  })
}

export const readAudioAsset = (doc: Y.Doc, hash: string): AudioAsset | undefined =>
  Object.hasOwn(readAudioAssets(doc), hash) ? readAudioAssets(doc)[hash] : undefined

/** Validates an asset record; throws a SongError naming what is wrong. */
export const parseAudioAsset = (asset: unknown): AudioAsset => {
  const value = parse(AudioAssetSchema, asset, 'audio asset')
  // frames and rate are the truth; a duration that disagrees by more than a frame is a caller's mistake.
  if (Math.abs(value.frames / value.sampleRate - value.durationSeconds) > 1 / value.sampleRate + 1e-9) {
    throw new SongError(
      'invalid_value',
      `Invalid audio asset: durationSeconds ${value.durationSeconds} is not frames / sampleRate (${value.frames / value.sampleRate})`,
    )
  }
  return value
}

/**
 * Records an asset in the song. An asset already there is left as it is (the hash names the same bytes, so
 * the first record stands, whatever name a later import gave the file); returns whether it was new.
 */
export const addAudioAsset = (doc: Y.Doc, origin: EditOrigin, asset: AudioAsset): boolean => {
  const value = parseAudioAsset(asset)
  if (readAudioAsset(doc, value.hash) !== undefined) return false
  commit(doc, origin, () => assetsMap(doc).set(value.hash, value))
  return true
}
