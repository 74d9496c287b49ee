import type { SuggestInput } from './input'
import type { PluginManifestInput } from './manifest'

/*
 * Shared by the contract's tests: one valid manifest and one valid input, which each test bends in the one
 * way it is about. Not exported from the package.
 */

export const SHA_A = 'a'.repeat(64)
export const SHA_B = 'b'.repeat(64)

export function goodManifest(): PluginManifestInput {
  return {
    id: 'org.example.melody',
    name: 'Melody',
    version: '1.2.0',
    hostApi: '^1.0.0',
    kind: 'generator',
    description: 'Writes a melody in the song key.',
    author: 'Example',
    licence: 'MIT',
    trackKinds: ['instrument'],
    parameters: [
      {
        id: 'density',
        type: 'float',
        label: 'Density',
        min: 0,
        max: 1,
        default: 0.5,
        step: 0.05,
        units: '%',
      },
      { id: 'octave', type: 'int', label: 'Octave', min: 2, max: 6, default: 4 },
      { id: 'legato', type: 'bool', label: 'Legato', default: false },
      {
        id: 'style',
        type: 'choice',
        label: 'Style',
        options: [
          { value: 'pop', label: 'Pop' },
          { value: 'jazz', label: 'Jazz' },
        ],
        default: 'pop',
      },
    ],
    assets: [
      {
        id: 'melody',
        format: 'tfjs-layers',
        path: 'melody/model.json',
        sha256: SHA_A,
        weights: [{ path: 'melody.weights.bin', sha256: SHA_B }],
      },
    ],
    capabilities: ['models', 'theory'],
  }
}

export function goodInput(overrides: Partial<SuggestInput> = {}): SuggestInput {
  return {
    song: { bpm: 120, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'D', mode: 'minor' } },
    target: {
      trackId: 'lead',
      kind: 'instrument',
      fromTick: 1920,
      toTick: 1920 + 4 * 1920,
      notes: [{ pitch: 62, start: 0, duration: 480, velocity: 90 }],
    },
    context: [
      {
        trackId: 'bass',
        name: 'Bass',
        kind: 'instrument',
        instrument: 'bass-fingered',
        notes: [{ pitch: 38, start: 0, duration: 1920, velocity: 100 }],
      },
    ],
    parameters: {},
    seed: 42,
    variations: 2,
    deadlineMs: 2000,
    ...overrides,
  }
}
