import { describe, expect, it } from 'vitest'
import { fromControl, ParameterSpecSchema, toControl } from '../../plugin/parameters'
import { EFFECT_DESCRIPTORS, EFFECT_KINDS, effectDescriptor, effectValues } from './catalogue'
import { FACTORY_PRESETS } from './factory-presets'

describe('effect catalogue', () => {
  it('declares every effect the issue lists, each parameter valid, with units and a curve, ids unique', () => {
    expect(EFFECT_DESCRIPTORS.map((d) => d.kind)).toEqual([...EFFECT_KINDS])
    for (const descriptor of EFFECT_DESCRIPTORS) {
      const ids = descriptor.parameters.map((p) => p.id)
      expect(new Set(ids).size, descriptor.kind).toBe(ids.length)
      for (const spec of descriptor.parameters) {
        expect(ParameterSpecSchema.safeParse(spec).success, `${descriptor.kind}.${spec.id}`).toBe(true)
        if (spec.type === 'float' || spec.type === 'int') {
          expect(spec.curve, `${descriptor.kind}.${spec.id}`).toBeDefined()
          expect(spec.units ?? '', `${descriptor.kind}.${spec.id}`).not.toBe('')
        }
      }
    }
  })

  it('knob positions follow the curve and return the value', () => {
    const cutoff = effectDescriptor('filter').parameters.find((p) => p.id === 'frequency')!
    if (cutoff.type !== 'float') throw new Error('cutoff is a float')
    // Log: 20 Hz..20 kHz is three decades, so 200 Hz and 2 kHz sit at a third and two thirds.
    expect(toControl(cutoff, 200)).toBeCloseTo(1 / 3, 6)
    expect(fromControl(cutoff, 2 / 3)).toBeCloseTo(2_000, 6)
    expect(fromControl(cutoff, toControl(cutoff, 440))).toBeCloseTo(440, 6)
  })

  it('a log curve with min <= 0 is refused', () => {
    const bad = { type: 'float', id: 'x', label: 'X', min: 0, max: 1, default: 0.5, curve: 'log' }
    expect(ParameterSpecSchema.safeParse(bad).success).toBe(false)
  })

  it('fills missing or mistyped values with defaults', () => {
    expect(effectValues('filter', { frequency: 300, type: 3 })).toEqual({
      type: 'lowpass',
      frequency: 300,
      resonance: 0.7,
      slope: '12',
    })
  })

  it('factory presets name real parameters with values in range, a few per track kind', () => {
    for (const kind of ['instrument', 'drums', 'audio'] as const)
      expect(FACTORY_PRESETS.filter((p) => p.trackKind === kind).length).toBeGreaterThanOrEqual(2)
    for (const preset of FACTORY_PRESETS)
      for (const device of preset.devices)
        for (const [id, value] of Object.entries(device.params)) {
          const spec = effectDescriptor(device.kind).parameters.find((p) => p.id === id)
          expect(spec, `${preset.id} ${device.kind}.${id}`).toBeDefined()
          if (spec?.type === 'float') expect(value).toBeGreaterThanOrEqual(spec.min)
          if (spec?.type === 'float') expect(value).toBeLessThanOrEqual(spec.max)
        }
  })
})
