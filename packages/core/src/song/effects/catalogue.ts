/*
 * The effects a chain can hold, each parameter declared once in the plugin parameter style (stable id, range,
 * units, default, curve). Everything else reads these: the song model validates stored values against them,
 * the server refuses a client's out-of-range write with them, the graph description fills missing values from
 * their defaults, and the studio will draw its knobs from them. Ids are stable: presets and automation lanes
 * name them, so a later version renames a label, never an id.
 */
import { z } from 'zod'
import { type ParameterSpec, ParameterSpecSchema, type ParameterValue } from '../../plugin/parameters'

export const EFFECT_KINDS = [
  'eq3',
  'parametricEq',
  'compressor',
  'gate',
  'reverb',
  'delay',
  'chorus',
  'phaser',
  'distortion',
  'filter',
  'width',
  'limiter',
] as const
export const EffectKindSchema = z.enum(EFFECT_KINDS)
export type EffectKind = z.infer<typeof EffectKindSchema>

export interface EffectDescriptor {
  readonly kind: EffectKind
  readonly label: string
  readonly parameters: readonly ParameterSpec[]
}

type Numeric = Omit<Extract<ParameterSpec, { type: 'float' }>, 'type'>

const float = (spec: Numeric): ParameterSpec => ({ type: 'float', ...spec })
const db = (id: string, label: string, min: number, max: number, value: number) =>
  float({ id, label, min, max, default: value, units: 'dB', curve: 'linear' })
const hz = (id: string, label: string, min: number, max: number, value: number) =>
  float({ id, label, min, max, default: value, units: 'Hz', curve: 'log' })
const ms = (id: string, label: string, min: number, max: number, value: number) =>
  float({ id, label, min, max, default: value, units: 'ms', curve: min > 0 ? 'log' : 'linear' })
const percent = (id: string, label: string, value: number, max = 100) =>
  float({ id, label, min: 0, max, default: value, units: '%', curve: 'linear' })
const q = (id: string, label: string, min: number, max: number, value: number) =>
  float({ id, label, min, max, default: value, units: 'Q', curve: 'log' })
const choice = (id: string, label: string, options: readonly [string, string][], value: string) =>
  ({
    type: 'choice',
    id,
    label,
    options: options.map(([v, l]) => ({ value: v, label: l })),
    default: value,
  }) satisfies ParameterSpec

/** Tempo-synced delay divisions: value is Tone's notation without the slash (`8n`, `8d` dotted, `8t` triplet). */
export const DELAY_DIVISIONS: readonly [string, string, number][] = [
  ['1m', '1 bar', 4],
  ['2n', '1/2', 2],
  ['4n', '1/4', 1],
  ['4d', '1/4 dotted', 1.5],
  ['4t', '1/4 triplet', 2 / 3],
  ['8n', '1/8', 0.5],
  ['8d', '1/8 dotted', 0.75],
  ['8t', '1/8 triplet', 1 / 3],
  ['16n', '1/16', 0.25],
  ['16d', '1/16 dotted', 0.375],
  ['32n', '1/32', 0.125],
]

/** Beats (quarter notes) in a delay division. */
export const divisionBeats = (division: string): number =>
  DELAY_DIVISIONS.find(([value]) => value === division)?.[2] ?? 0.5

const band = (n: number, frequency: number): ParameterSpec[] => [
  hz(`band${n}Frequency`, `Band ${n} frequency`, 20, 20_000, frequency),
  db(`band${n}Gain`, `Band ${n} gain`, -24, 24, 0),
  q(`band${n}Q`, `Band ${n} Q`, 0.1, 18, 1),
]

const DESCRIPTORS: readonly EffectDescriptor[] = [
  {
    kind: 'eq3',
    label: 'EQ (3-band)',
    parameters: [
      db('low', 'Low', -24, 12, 0),
      db('mid', 'Mid', -24, 12, 0),
      db('high', 'High', -24, 12, 0),
      hz('lowFrequency', 'Low / mid', 40, 1_000, 400),
      hz('highFrequency', 'Mid / high', 1_000, 16_000, 2_500),
    ],
  },
  {
    kind: 'parametricEq',
    label: 'Parametric EQ',
    parameters: [...band(1, 200), ...band(2, 1_000), ...band(3, 5_000)],
  },
  {
    kind: 'compressor',
    label: 'Compressor',
    parameters: [
      db('threshold', 'Threshold', -60, 0, -24),
      float({ id: 'ratio', label: 'Ratio', min: 1, max: 20, default: 4, units: ':1', curve: 'log' }),
      ms('attack', 'Attack', 0.1, 1_000, 10),
      // Web Audio's compressor takes at most 1 s of attack and of release (a RangeError past it).
      ms('release', 'Release', 10, 1_000, 250),
      db('knee', 'Knee', 0, 40, 6),
      db('makeup', 'Make-up gain', 0, 24, 0),
    ],
  },
  {
    kind: 'gate',
    label: 'Gate',
    parameters: [db('threshold', 'Threshold', -100, 0, -50), ms('smoothing', 'Smoothing', 1, 1_000, 100)],
  },
  {
    kind: 'reverb',
    label: 'Reverb',
    parameters: [
      float({ id: 'decay', label: 'Decay', min: 0.1, max: 20, default: 2, units: 's', curve: 'log' }),
      ms('preDelay', 'Pre-delay', 0, 500, 10),
      percent('mix', 'Mix', 30),
    ],
  },
  {
    kind: 'delay',
    label: 'Delay',
    parameters: [
      choice(
        'division',
        'Time',
        DELAY_DIVISIONS.map(([value, label]) => [value, label]),
        '8n',
      ),
      percent('feedback', 'Feedback', 35, 95),
      percent('mix', 'Mix', 30),
    ],
  },
  {
    kind: 'chorus',
    label: 'Chorus',
    parameters: [
      hz('rate', 'Rate', 0.05, 10, 1.5),
      ms('delay', 'Delay', 1, 20, 3.5),
      percent('depth', 'Depth', 70),
      percent('mix', 'Mix', 50),
    ],
  },
  {
    kind: 'phaser',
    label: 'Phaser',
    parameters: [
      hz('rate', 'Rate', 0.05, 10, 0.5),
      float({ id: 'octaves', label: 'Octaves', min: 0.5, max: 6, default: 3, units: 'oct', curve: 'linear' }),
      hz('baseFrequency', 'Base frequency', 50, 5_000, 350),
      q('q', 'Q', 0.1, 20, 10),
      percent('mix', 'Mix', 50),
    ],
  },
  {
    kind: 'distortion',
    label: 'Distortion',
    parameters: [
      percent('drive', 'Drive', 40),
      choice(
        'oversample',
        'Oversampling',
        [
          ['none', 'Off'],
          ['2x', '2×'],
          ['4x', '4×'],
        ],
        '2x',
      ),
      percent('mix', 'Mix', 100),
    ],
  },
  {
    kind: 'filter',
    label: 'Filter',
    parameters: [
      choice(
        'type',
        'Type',
        [
          ['lowpass', 'Low-pass'],
          ['highpass', 'High-pass'],
          ['bandpass', 'Band-pass'],
        ],
        'lowpass',
      ),
      hz('frequency', 'Cutoff', 20, 20_000, 1_000),
      q('resonance', 'Resonance', 0.1, 24, 0.7),
      choice(
        'slope',
        'Slope',
        [
          ['12', '12 dB/oct'],
          ['24', '24 dB/oct'],
        ],
        '12',
      ),
    ],
  },
  {
    kind: 'width',
    label: 'Stereo width',
    // 0 folds to mono, 100 leaves the image as it is, 200 widens (mid/side).
    parameters: [percent('width', 'Width', 100, 200)],
  },
  {
    kind: 'limiter',
    label: 'Limiter',
    parameters: [db('threshold', 'Ceiling', -30, 0, -1)],
  },
]

// Declared once, checked once: a descriptor that breaks the parameter rules fails at load, not in a session.
for (const descriptor of DESCRIPTORS)
  for (const spec of descriptor.parameters) ParameterSpecSchema.parse(spec)

const BY_KIND = new Map(DESCRIPTORS.map((d) => [d.kind, d]))

export const EFFECT_DESCRIPTORS: readonly EffectDescriptor[] = DESCRIPTORS

export const effectDescriptor = (kind: EffectKind): EffectDescriptor => BY_KIND.get(kind)!

/** The declaration of one parameter of an effect, or undefined for an id the effect does not have. */
export const effectParameter = (kind: EffectKind, id: string): ParameterSpec | undefined =>
  BY_KIND.get(kind)?.parameters.find((p) => p.id === id)

export const isEffectKind = (value: unknown): value is EffectKind =>
  typeof value === 'string' && BY_KIND.has(value as EffectKind)

/** Every parameter at its default, overlaid with `values` where they hold a value of the right type. */
export const effectValues = (
  kind: EffectKind,
  values: Readonly<Record<string, unknown>>,
): Record<string, ParameterValue> =>
  Object.fromEntries(
    effectDescriptor(kind).parameters.map((spec) => {
      const value = values[spec.id]
      return [spec.id, typeof value === typeof spec.default ? (value as ParameterValue) : spec.default]
    }),
  )
