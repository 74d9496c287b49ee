import { calibrationClick, type LatencyMeasurement, measureLatency } from '@ensemble/core/audio'
import type { BaseContext } from 'tone'
import { z } from 'zod'
import type { CapturedChunk, InputChain } from './audio-input'

/*
 * The round trip of an input: measured by a loopback calibration (clicks out of the speakers, found in
 * the input by core's `measureLatency`) and kept per input device in this browser, since it belongs to
 * the device and its driver, not to the song. Without a measurement the browser's own figures stand in:
 * `outputLatency + baseLatency` (what the output adds), which misses the input's share, so the studio
 * asks for a calibration.
 */

const KEY = 'ensemble.inputLatency.'

const StoredSchema = z.strictObject({
  offsetMs: z.number().min(0).max(2_000),
  confidence: z.number().min(0).max(1),
  measuredAt: z.string().max(40),
})
export type StoredLatency = z.infer<typeof StoredSchema>

export interface InputLatency {
  readonly ms: number
  readonly source: 'measured' | 'estimated'
}

export function storedLatency(deviceId: string): StoredLatency | null {
  try {
    const raw = localStorage.getItem(KEY + deviceId)
    const parsed = raw === null ? null : StoredSchema.safeParse(JSON.parse(raw))
    return parsed?.success ? parsed.data : null
  } catch {
    return null
  }
}

export function inputLatency(context: BaseContext, deviceId: string): InputLatency {
  const stored = storedLatency(deviceId)
  if (stored) return { ms: stored.offsetMs, source: 'measured' }
  const raw = context.rawContext as unknown as Partial<AudioContext>
  const seconds = (raw.outputLatency ?? 0) + (raw.baseLatency ?? 0)
  return { ms: Math.max(0, Math.min(2_000, seconds * 1000)), source: 'estimated' }
}

/** Below this the clicks were not heard clearly enough to trust. */
export const MIN_CONFIDENCE = 0.5

const CLICKS = 10
const FIRST_CLICK_S = 0.4
const CLICK_SPACING_S = 0.35

export class CalibrationError extends Error {
  override name = 'CalibrationError'
}

/**
 * Plays a click train through the speakers while the input records, measures where the clicks came
 * back, and stores the result for the input's device. Refuses to store a measurement it cannot trust.
 */
export async function calibrateInput(context: BaseContext, input: InputChain): Promise<LatencyMeasurement> {
  const rate = context.sampleRate
  const clickSamples = calibrationClick(rate)
  const buffer = context.createBuffer(1, clickSamples.length, rate)
  buffer.copyToChannel(clickSamples, 0)
  const chunks: CapturedChunk[] = []
  input.startCapture((chunk) => chunks.push(chunk))
  const start = context.currentTime + FIRST_CLICK_S
  const times: number[] = []
  const destination = (context.rawContext as unknown as BaseAudioContext).destination
  for (let i = 0; i < CLICKS; i++) {
    const source = context.createBufferSource()
    source.buffer = buffer
    source.connect(destination)
    const at = start + i * CLICK_SPACING_S
    source.start(at)
    times.push(at)
  }
  const end = start + CLICKS * CLICK_SPACING_S + 0.5
  await new Promise((resolve) => setTimeout(resolve, (end - context.currentTime) * 1000))
  await input.stopCapture()
  const first = chunks[0]
  if (!first) throw new CalibrationError('The input delivered no audio')
  const frames = chunks.reduce((n, c) => Math.max(n, c.frame + (c.channels[0]?.length ?? 0)), 0) - first.frame
  const recorded = new Float32Array(frames)
  for (const c of chunks) if (c.channels[0]) recorded.set(c.channels[0], c.frame - first.frame)
  const result = measureLatency({
    clickTimes: times.map((t) => t - first.frame / rate),
    click: clickSamples,
    input: recorded,
    sampleRate: rate,
  })
  if (result.confidence < MIN_CONFIDENCE)
    throw new CalibrationError(
      `The clicks did not come back clearly (${result.found} of ${CLICKS} heard): turn the speakers up, hold the microphone near them, and try again`,
    )
  const stored: StoredLatency = {
    offsetMs: Math.max(0, result.offsetMs),
    confidence: result.confidence,
    measuredAt: new Date().toISOString(),
  }
  localStorage.setItem(KEY + input.deviceId, JSON.stringify(stored))
  return result
}
