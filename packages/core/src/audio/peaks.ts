/*
 * Peaks: what a waveform is drawn from, computed once per asset and shared before the audio itself.
 *
 * Rules:
 * - Several zoom levels of min/max pairs, each level 4 times coarser than the one before (256, 1024, 4096
 *   samples per peak), over all channels merged: a lane is 64 px high, so one envelope is what it can show.
 * - Stored as Int8 (-127..127 for -1..1): a lane cannot draw finer than 1/128 of its height, and it keeps
 *   a 3-minute take's peaks near 90 KB, small enough to travel before the audio.
 * - The binary format opens with a version byte; `decodePeaks` never reads out of bounds and refuses
 *   anything it does not recognise, because peaks reach it from other people's browsers via the server.
 * - Bounded: a level with more than `MAX_PEAKS_PER_LEVEL` pairs is not computed (the coarser ones are),
 *   so no file of any length makes the peaks bigger than `MAX_PEAKS_BYTES`.
 */

export const PEAKS_FORMAT_VERSION = 1

/** Samples per peak of each level, finest first. */
export const PEAK_LEVELS: readonly number[] = [256, 1024, 4096]

/** The most min/max pairs one level holds (5.8 hours at 48 kHz for the finest level). */
export const MAX_PEAKS_PER_LEVEL = 1 << 20

const HEADER_BYTES = 12
const LEVEL_HEADER_BYTES = 8

/**
 * The largest encoded peaks can be: the finest level kept full and each coarser one a quarter of the one
 * before (about 2.6 MiB), under the 4 MiB the server takes.
 */
export const MAX_PEAKS_BYTES =
  HEADER_BYTES +
  PEAK_LEVELS.length * (LEVEL_HEADER_BYTES + 2) +
  PEAK_LEVELS.reduce((n, _, i) => n + (2 * MAX_PEAKS_PER_LEVEL) / 4 ** i, 0)

export interface PeakLevel {
  /** How many samples of the audio each min/max pair covers. */
  readonly samplesPerPeak: number
  /** Per pair, the lowest sample (-1..1). */
  readonly min: Float32Array
  /** Per pair, the highest sample (-1..1). */
  readonly max: Float32Array
}

export interface Peaks {
  readonly sampleRate: number
  /** The audio's length in samples per channel. */
  readonly frames: number
  /** Finest first. */
  readonly levels: readonly PeakLevel[]
}

export class PeaksFormatError extends Error {
  override name = 'PeaksFormatError'
}

const clampUnit = (x: number) => Math.max(-1, Math.min(1, x))

/** Merges the channels into min/max pairs at every level (each level built from the finer one). */
export function computePeaks(channels: readonly Float32Array[], sampleRate: number): Peaks {
  if (!(sampleRate > 0) || !Number.isInteger(sampleRate))
    throw new RangeError('sampleRate must be a positive integer')
  const frames = channels.reduce((n, ch) => Math.max(n, ch.length), 0)
  const first = PEAK_LEVELS[0] as number
  const firstCount = Math.ceil(frames / first)
  let min = new Float32Array(firstCount)
  let max = new Float32Array(firstCount)
  for (let p = 0; p < firstCount; p++) {
    let lo = Number.POSITIVE_INFINITY
    let hi = Number.NEGATIVE_INFINITY
    const from = p * first
    const to = Math.min(frames, from + first)
    for (const ch of channels) {
      const end = Math.min(to, ch.length)
      for (let i = from; i < end; i++) {
        const x = ch[i] as number
        if (x < lo) lo = x
        if (x > hi) hi = x
      }
    }
    // A channel shorter than the others is silence there.
    if (lo === Number.POSITIVE_INFINITY) lo = hi = 0
    min[p] = clampUnit(lo)
    max[p] = clampUnit(hi)
  }
  const levels: PeakLevel[] = []
  let spp = first
  for (const target of PEAK_LEVELS) {
    // Merge the previous level's pairs into this one's (the ratio is exact: each level is a multiple).
    const ratio = target / spp
    if (ratio !== 1) {
      const count = Math.ceil(min.length / ratio)
      const nextMin = new Float32Array(count)
      const nextMax = new Float32Array(count)
      for (let p = 0; p < count; p++) {
        let lo = 1
        let hi = -1
        const end = Math.min(min.length, (p + 1) * ratio)
        for (let i = p * ratio; i < end; i++) {
          lo = Math.min(lo, min[i] as number)
          hi = Math.max(hi, max[i] as number)
        }
        nextMin[p] = lo
        nextMax[p] = hi
      }
      min = nextMin
      max = nextMax
      spp = target
    }
    if (min.length <= MAX_PEAKS_PER_LEVEL) levels.push({ samplesPerPeak: target, min, max })
  }
  return { sampleRate, frames, levels }
}

/**
 * The level to draw at a zoom of `samplesPerPixel`: the coarsest one that still has at least one pair per
 * pixel (no detail lost), else the finest there is. Null when there are no levels.
 */
export function peakLevelFor(peaks: Peaks, samplesPerPixel: number): PeakLevel | null {
  let chosen: PeakLevel | null = null
  for (const level of peaks.levels) {
    if (chosen === null || level.samplesPerPeak <= samplesPerPixel) chosen = level
  }
  return chosen
}

/** The lowest and highest sample between two frames of the audio, read from one level. */
export function peakRange(
  level: PeakLevel,
  fromFrame: number,
  toFrame: number,
): { min: number; max: number } {
  const from = Math.max(0, Math.floor(fromFrame / level.samplesPerPeak))
  const to = Math.min(level.min.length, Math.max(from + 1, Math.ceil(toFrame / level.samplesPerPeak)))
  let lo = 0
  let hi = 0
  for (let i = from; i < to; i++) {
    lo = Math.min(lo, level.min[i] as number)
    hi = Math.max(hi, level.max[i] as number)
  }
  return { min: lo, max: hi }
}

const toInt8 = (x: number) => Math.round(clampUnit(x) * 127)

/**
 * Binary layout, little-endian: u8 version, u8 level count, u16 reserved (0), u32 sample rate, u32 frames;
 * per level u32 samples per peak, u32 pair count, then the pairs as Int8 min, Int8 max.
 */
export function encodePeaks(peaks: Peaks): Uint8Array<ArrayBuffer> {
  const size = peaks.levels.reduce((n, l) => n + LEVEL_HEADER_BYTES + 2 * l.min.length, HEADER_BYTES)
  const bytes = new Uint8Array(size)
  const view = new DataView(bytes.buffer)
  view.setUint8(0, PEAKS_FORMAT_VERSION)
  view.setUint8(1, peaks.levels.length)
  view.setUint32(4, peaks.sampleRate, true)
  view.setUint32(8, peaks.frames, true)
  let at = HEADER_BYTES
  for (const level of peaks.levels) {
    view.setUint32(at, level.samplesPerPeak, true)
    view.setUint32(at + 4, level.min.length, true)
    at += LEVEL_HEADER_BYTES
    for (let i = 0; i < level.min.length; i++) {
      view.setInt8(at++, toInt8(level.min[i] as number))
      view.setInt8(at++, toInt8(level.max[i] as number))
    }
  }
  return bytes
}

/** Reads what `encodePeaks` writes; throws `PeaksFormatError` for anything else (never reads past the end). */
export function decodePeaks(bytes: Uint8Array): Peaks {
  if (bytes.byteLength < HEADER_BYTES) throw new PeaksFormatError('Peaks too short for their header')
  if (bytes.byteLength > MAX_PEAKS_BYTES) throw new PeaksFormatError('Peaks larger than any audio needs')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint8(0)
  if (version !== PEAKS_FORMAT_VERSION) throw new PeaksFormatError(`Unknown peaks format version ${version}`)
  const levelCount = view.getUint8(1)
  if (levelCount > PEAK_LEVELS.length) throw new PeaksFormatError(`Peaks with ${levelCount} levels`)
  const sampleRate = view.getUint32(4, true)
  const frames = view.getUint32(8, true)
  if (sampleRate === 0) throw new PeaksFormatError('Peaks with a sample rate of 0')
  const levels: PeakLevel[] = []
  let at = HEADER_BYTES
  let previous = 0
  for (let l = 0; l < levelCount; l++) {
    if (at + LEVEL_HEADER_BYTES > bytes.byteLength) throw new PeaksFormatError('Peaks cut short')
    const samplesPerPeak = view.getUint32(at, true)
    const count = view.getUint32(at + 4, true)
    at += LEVEL_HEADER_BYTES
    if (samplesPerPeak <= previous) throw new PeaksFormatError('Peak levels out of order')
    previous = samplesPerPeak
    if (count !== Math.ceil(frames / samplesPerPeak))
      throw new PeaksFormatError(`A level of ${count} peaks does not cover ${frames} frames`)
    if (at + 2 * count > bytes.byteLength) throw new PeaksFormatError('Peaks cut short')
    const min = new Float32Array(count)
    const max = new Float32Array(count)
    for (let i = 0; i < count; i++) {
      min[i] = clampUnit(view.getInt8(at++) / 127)
      max[i] = clampUnit(view.getInt8(at++) / 127)
    }
    levels.push({ samplesPerPeak, min, max })
  }
  if (at !== bytes.byteLength) throw new PeaksFormatError('Peaks followed by unexpected bytes')
  return { sampleRate, frames, levels }
}
