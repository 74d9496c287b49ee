/*
 * The parameters every instrument exposes to automation, declared once in the plugin parameter style. The
 * presets are fixed sounds with no settings stored in the song, so these belong to the instrument's output
 * stage, the same for every preset: its level, and a tone control (a low-pass on what the instrument plays,
 * so a pad can open up over eight bars). They have no stored value: without automation they sit at their
 * default, which leaves the instrument as it sounds today.
 */
import type { ParameterSpec } from '../plugin/parameters'

type FloatSpec = Extract<ParameterSpec, { type: 'float' }>

export const INSTRUMENT_PARAMETERS: readonly FloatSpec[] = [
  { type: 'float', id: 'level', label: 'Level', min: -60, max: 6, default: 0, units: 'dB', curve: 'linear' },
  {
    type: 'float',
    id: 'tone',
    label: 'Tone',
    min: 100,
    max: 20_000,
    default: 20_000,
    units: 'Hz',
    curve: 'log',
  },
]

export const instrumentParameter = (id: string): FloatSpec | undefined =>
  INSTRUMENT_PARAMETERS.find((p) => p.id === id)
