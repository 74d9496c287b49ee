import type { PresetId } from '../presets'
import type { ToneContext, ToneLib } from '../tone'
import { createDrumKit } from './drums'
import type { Instrument } from './instrument'
import { createMelodic } from './synths'

export type { Instrument } from './instrument'

const FACTORIES: Readonly<Record<PresetId, (tone: ToneLib, context: ToneContext) => Instrument>> = {
  piano: (tone, context) => createMelodic(tone, context, 'piano'),
  bass: (tone, context) => createMelodic(tone, context, 'bass'),
  lead: (tone, context) => createMelodic(tone, context, 'lead'),
  pad: (tone, context) => createMelodic(tone, context, 'pad'),
  pluck: (tone, context) => createMelodic(tone, context, 'pluck'),
  'drum-kit': createDrumKit,
}

/** Builds a preset's voice graph in `context`; the caller connects `output` and disposes it. */
export const createInstrument = (tone: ToneLib, context: ToneContext, preset: PresetId): Instrument =>
  FACTORIES[preset](tone, context)
