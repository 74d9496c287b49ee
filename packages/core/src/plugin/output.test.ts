import { describe, expect, it } from 'vitest'
import { PluginError } from './errors'
import { type OutputLimits, validateOutput } from './output'

const generator: OutputLimits = { kind: 'generator', windowTicks: 1920, variations: 2 }
const arranger: OutputLimits = { kind: 'arranger', windowTicks: 1920, variations: 1 }
const note = { pitch: 60, start: 0, duration: 480, velocity: 100 }

function refusal(raw: unknown, limits: OutputLimits): string {
  try {
    validateOutput(raw, limits)
  } catch (err) {
    expect(err).toBeInstanceOf(PluginError)
    expect((err as PluginError).code).toBe('invalid_output')
    return (err as Error).message
  }
  throw new Error('expected the output to be refused')
}

const withNote = (change: Record<string, unknown>) => ({
  suggestions: [{ label: 'A', notes: [{ ...note, ...change }] }],
})

describe('validateOutput', () => {
  it('accepts notes for the target track, up to the window end', () => {
    const out = { suggestions: [{ label: 'A', notes: [note, { ...note, start: 1440, duration: 480 }] }] }
    expect(validateOutput(out, generator)).toEqual(out)
  })

  it('accepts new tracks from an arranger', () => {
    const out = {
      suggestions: [
        { label: 'Band', tracks: [{ name: 'Bass', kind: 'instrument', instrument: null, notes: [note] }] },
      ],
    }
    expect(validateOutput(out, arranger)).toEqual(out)
  })

  it('accepts no suggestion at all: a plugin may find nothing that fits', () => {
    expect(validateOutput({ suggestions: [] }, generator)).toEqual({ suggestions: [] })
  })

  it.each([
    ['a pitch above 127', { pitch: 128 }, /suggestions\[0\]\.notes\[0\]\.pitch/],
    ['velocity 0', { velocity: 0 }, /suggestions\[0\]\.notes\[0\]\.velocity/],
    ['a negative start', { start: -1 }, /suggestions\[0\]\.notes\[0\]\.start/],
    ['a zero duration', { duration: 0 }, /suggestions\[0\]\.notes\[0\]\.duration/],
    ['a fractional tick', { start: 0.5 }, /notes\[0\]\.start.*int/],
    [
      'a start past the window',
      { start: 1920 },
      /notes\[0\]\.start: starts at 1920, past the window's 1920 ticks/,
    ],
    ['an end past the window', { start: 1800, duration: 480 }, /notes\[0\]\.duration: ends at 2280/],
    ['an extra field', { id: 'n1' }, /notes\[0\].*id/],
  ])('refuses %s', (_, change, message) => {
    expect(refusal(withNote(change), generator)).toMatch(message)
  })

  it('refuses more suggestions than were asked for', () => {
    const three = { suggestions: [1, 2, 3].map((i) => ({ label: `V${i}`, notes: [note] })) }
    expect(refusal(three, generator)).toMatch(/at most 2 suggestion/)
  })

  it('refuses more notes than a track may hold', () => {
    const notes = Array.from({ length: 4097 }, () => note)
    expect(refusal({ suggestions: [{ label: 'A', notes }] }, generator)).toMatch(/suggestions\[0\]\.notes/)
  })

  it('refuses tracks from a generator and notes from an arranger', () => {
    const tracks = {
      suggestions: [{ label: 'Band', tracks: [{ name: 'B', kind: 'drums', instrument: null, notes: [] }] }],
    }
    expect(refusal(tracks, generator)).toMatch(/tracks/)
    expect(refusal({ suggestions: [{ label: 'A', notes: [note] }] }, arranger)).toMatch(/tracks/)
  })

  it('refuses an empty label and a non-object', () => {
    expect(refusal({ suggestions: [{ label: '', notes: [] }] }, generator)).toMatch(
      /label: must not be empty/,
    )
    expect(refusal('notes please', generator)).toMatch(/invalid plugin output/)
  })
})
