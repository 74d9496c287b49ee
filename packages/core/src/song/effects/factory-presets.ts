/*
 * Chains that come with every project, a few per track kind, so a new track can start from a sound that
 * works. Applied like a project preset (see chain-presets.ts); parameters not named keep their defaults.
 */
import type { EffectKind } from './catalogue'

export interface FactoryDevice {
  readonly kind: EffectKind
  readonly params: Readonly<Record<string, number | string>>
}

export interface FactoryPreset {
  /** Stable, and prefixed `factory-` so it never meets a project preset's uuid. */
  readonly id: string
  readonly name: string
  readonly trackKind: 'instrument' | 'drums' | 'audio'
  readonly devices: readonly FactoryDevice[]
}

export const FACTORY_PRESETS: readonly FactoryPreset[] = [
  {
    id: 'factory-warm-keys',
    name: 'Warm keys',
    trackKind: 'instrument',
    devices: [
      { kind: 'eq3', params: { low: 2, high: -3 } },
      { kind: 'chorus', params: { rate: 0.8, mix: 30 } },
      { kind: 'reverb', params: { decay: 2.5, mix: 25 } },
    ],
  },
  {
    id: 'factory-tight-bass',
    name: 'Tight bass',
    trackKind: 'instrument',
    devices: [
      { kind: 'filter', params: { type: 'highpass', frequency: 35 } },
      { kind: 'compressor', params: { threshold: -20, ratio: 4, attack: 5, release: 120, makeup: 3 } },
    ],
  },
  {
    id: 'factory-lead-echo',
    name: 'Lead echo',
    trackKind: 'instrument',
    devices: [
      { kind: 'distortion', params: { drive: 15, mix: 40 } },
      { kind: 'delay', params: { division: '8d', feedback: 30, mix: 25 } },
    ],
  },
  {
    id: 'factory-punchy-drums',
    name: 'Punchy drums',
    trackKind: 'drums',
    devices: [
      { kind: 'eq3', params: { low: 3, mid: -2, high: 2 } },
      { kind: 'compressor', params: { threshold: -18, ratio: 6, attack: 10, release: 100, makeup: 4 } },
    ],
  },
  {
    id: 'factory-room-drums',
    name: 'Room drums',
    trackKind: 'drums',
    devices: [
      { kind: 'compressor', params: { threshold: -24, ratio: 3 } },
      { kind: 'reverb', params: { decay: 1.2, preDelay: 5, mix: 20 } },
    ],
  },
  {
    id: 'factory-vocal',
    name: 'Vocal',
    trackKind: 'audio',
    devices: [
      { kind: 'filter', params: { type: 'highpass', frequency: 90 } },
      { kind: 'compressor', params: { threshold: -20, ratio: 3, attack: 8, release: 200, makeup: 4 } },
      { kind: 'parametricEq', params: { band2Frequency: 3_000, band2Gain: 2 } },
    ],
  },
  {
    id: 'factory-gated-guitar',
    name: 'Clean guitar',
    trackKind: 'audio',
    devices: [
      { kind: 'gate', params: { threshold: -55 } },
      { kind: 'eq3', params: { low: -2, mid: 1 } },
      { kind: 'delay', params: { division: '4n', feedback: 20, mix: 15 } },
    ],
  },
]
