import type { PresetId } from '../presets'
import type { ToneContext, ToneLib } from '../tone'
import { createDrumKit } from './drums'
import type { Instrument } from './instrument'
import { createBass, createLead, createPad, createPiano, createPluck } from './synths'

export type { Instrument } from './instrument'

const FACTORIES: Readonly<Record<PresetId, (tone: ToneLib, context: ToneContext) => Instrument>> = {
  piano: createPiano,
  bass: createBass,
  lead: createLead,
  pad: createPad,
  pluck: createPluck,
  'drum-kit': createDrumKit,
}

/** Builds a preset's voice graph in `context`; the caller connects `output` and disposes it. */
export const createInstrument = (tone: ToneLib, context: ToneContext, preset: PresetId): Instrument =>
  FACTORIES[preset](tone, context)
