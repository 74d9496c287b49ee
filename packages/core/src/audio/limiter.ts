/*
 * The master limiter, so a dense song does not clip: a fast, hard-kneed compressor that pulls sustained
 * overs down to about -1 dBFS, then a ceiling that catches what slips through its attack. The ceiling is a
 * waveshaper, exactly linear below -0.9 dBFS and bending smoothly to -0.1 dBFS, so normal material passes
 * untouched and nothing leaves the master at or above 0 dBFS.
 *
 * Web Audio's compressor delays its output by a look-ahead the specification leaves to the implementation
 * (Chromium 6 ms; node-web-audio-api rounds it up to whole 128-sample blocks). `limiterLatency` measures it
 * once per sample rate, so the offline render can trim it and keep onsets on the note times.
 */
import type * as ToneModule from 'tone'
import type { ToneContext, ToneLib } from './tone'

const COMPRESSOR = { threshold: -3, ratio: 20, knee: 0, attack: 0.001, release: 0.1 } as const
/** Below this magnitude the ceiling is the identity. */
const LINEAR_UP_TO = 0.9
/** The ceiling's output never reaches this magnitude (-0.09 dBFS). */
const CEILING = 0.99
/** The shaper's curve spans ±HEADROOM of input (about +12 dBFS) so loud transients bend instead of clip. */
const HEADROOM = 4

const ceiling = (x: number): number => {
  const magnitude = Math.abs(x)
  if (magnitude <= LINEAR_UP_TO) return x
  const room = CEILING - LINEAR_UP_TO
  return Math.sign(x) * (LINEAR_UP_TO + room * Math.tanh((magnitude - LINEAR_UP_TO) / room))
}

export interface MasterLimiter {
  readonly input: ToneModule.InputNode
  readonly output: ToneModule.ToneAudioNode
  /** Gain reduction now, in dB (0 when idle, negative while limiting). */
  reductionDb(): number
  dispose(): void
}

export const createMasterLimiter = (tone: ToneLib, context: ToneContext): MasterLimiter => {
  const compressor = new tone.Compressor({ context, ...COMPRESSOR })
  const scale = new tone.Gain({ context, gain: 1 / HEADROOM })
  const shaper = new tone.WaveShaper({
    context,
    mapping: (x: number) => ceiling(x * HEADROOM),
    length: 8192,
  })
  compressor.chain(scale, shaper)
  return {
    input: compressor,
    output: shaper,
    reductionDb: () => Math.min(0, compressor.reduction),
    dispose: () => {
      compressor.dispose()
      scale.dispose()
      shaper.dispose()
    },
  }
}

const latencies = new Map<number, Promise<number>>()

/** The limiter's delay in samples at this rate, measured once with an impulse through the same compressor. */
export const limiterLatency = (tone: ToneLib, sampleRate: number): Promise<number> => {
  let known = latencies.get(sampleRate)
  if (known === undefined) {
    known = measureLatency(tone, sampleRate)
    latencies.set(sampleRate, known)
  }
  return known
}

const measureLatency = async (tone: ToneLib, sampleRate: number): Promise<number> => {
  const frames = 8192
  const context = new tone.OfflineContext(1, frames / sampleRate, sampleRate)
  const impulse = context.createBuffer(1, 1, sampleRate)
  impulse.getChannelData(0)[0] = 0.25
  const source = context.createBufferSource()
  source.buffer = impulse
  const compressor = new tone.Compressor({ context, ...COMPRESSOR })
  source.connect(compressor.input as AudioNode)
  compressor.connect(context.destination)
  source.start(0)
  const rendered = (await context.render()).getChannelData(0)
  compressor.dispose()
  await context.dispose()
  const at = rendered.findIndex((s) => Math.abs(s) > 1e-6)
  return Math.max(0, at)
}
