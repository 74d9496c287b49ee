import { definePlugin, PPQ } from '@ensemble/plugin-sdk'

/*
 * Arpeggiates the chord sounding in each bar of the other tracks; where they are silent, the key's own
 * triads (I–vi–IV–V, counted from the song's first bar). Chord tones are kept in the song's key, so a
 * borrowed chord (E major in A minor) is arpeggiated with the key's notes.
 */

const RATES = { quarter: PPQ, eighth: PPQ / 2, sixteenth: PPQ / 4 }
const PROGRESSION = [1, 6, 4, 5]
/** Chords are voiced from here up; `octaves` stacks copies above. */
const LOWEST = 55

interface Note {
  pitch: number
  start: number
  duration: number
  velocity: number
}

export default definePlugin({
  manifest: {
    id: 'com.example.arpeggiator',
    name: 'Arpeggiator',
    version: '1.0.0',
    hostApi: '^1.0.0',
    kind: 'generator',
    description: 'Arpeggiates the chords of the other tracks, or the key’s triads where they are silent.',
    author: 'Example Plugins',
    licence: 'MIT',
    trackKinds: ['instrument'],
    parameters: [
      {
        id: 'pattern',
        type: 'choice',
        label: 'Pattern',
        default: 'up',
        options: [
          { value: 'up', label: 'Up' },
          { value: 'down', label: 'Down' },
          { value: 'updown', label: 'Up and down' },
        ],
      },
      {
        id: 'rate',
        type: 'choice',
        label: 'Rate',
        default: 'eighth',
        options: [
          { value: 'quarter', label: '1/4' },
          { value: 'eighth', label: '1/8' },
          { value: 'sixteenth', label: '1/16' },
        ],
      },
      { id: 'octaves', type: 'int', label: 'Octaves', min: 1, max: 3, default: 1 },
      { id: 'gate', type: 'float', label: 'Gate', min: 0.1, max: 1, default: 0.8, step: 0.05, units: '%' },
    ],
    assets: [],
    capabilities: ['theory'],
  },
  suggest(input, ctx) {
    const { song, target, context, parameters } = input
    const { theory } = ctx
    const bar = theory.ticksPerBar(song.timeSignature)
    const length = target.toTick - target.fromTick
    const step = RATES[parameters.rate]
    const pitchedContext = context.filter((t) => t.kind !== 'drums')

    /** Pitch classes sounding in [from, to) of the window, in the key, or the key's triad for that bar. */
    function chordAt(from: number, to: number): number[] {
      const classes = new Set<number>()
      for (const track of pitchedContext)
        for (const n of track.notes)
          if (n.start < to && n.start + n.duration > from)
            classes.add(theory.snapToScale(n.pitch, song.key) % 12)
      if (classes.size > 0) return [...classes]
      const barIndex = Math.floor((target.fromTick + from) / bar)
      return theory.diatonicChord(song.key, PROGRESSION[barIndex % PROGRESSION.length]!)
    }

    function sequence(classes: number[]): number[] {
      const voiced: number[] = []
      for (let octave = 0; octave < parameters.octaves; octave++)
        for (const pc of classes) voiced.push(LOWEST + ((pc - LOWEST + 120) % 12) + 12 * octave)
      const up = [...new Set(voiced)].filter((p) => p <= 127).sort((a, b) => a - b)
      if (parameters.pattern === 'down') return up.reverse()
      if (parameters.pattern === 'updown') return [...up, ...up.slice(1, -1).reverse()]
      return up
    }

    const suggestions = []
    for (let v = 0; v < input.variations; v++) {
      // Variation 1 is the plain arpeggio; later ones start elsewhere in the pattern and breathe in velocity.
      const random = ctx.fork(v)
      const offset = v === 0 ? 0 : Math.floor(random() * 8)
      const notes: Note[] = []
      // Bars counted from the song's start, so a window that begins mid-bar still changes chord on the bar line.
      const firstBarStart = Math.floor(target.fromTick / bar) * bar - target.fromTick
      for (let barStart = firstBarStart; barStart < length; barStart += bar) {
        const from = Math.max(0, barStart)
        const to = Math.min(length, barStart + bar)
        const pitches = sequence(chordAt(from, to))
        if (pitches.length === 0) continue
        for (let start = from, i = 0; start < to; start += step, i++) {
          const duration = Math.max(1, Math.min(Math.round(step * parameters.gate), length - start))
          const accent = (start - barStart) % PPQ === 0 ? 12 : 0
          const velocity = Math.min(127, 72 + accent + (v === 0 ? 0 : Math.floor(random() * 16) - 8))
          notes.push({ pitch: pitches[(i + offset) % pitches.length]!, start, duration, velocity })
        }
      }
      suggestions.push({
        label: v === 0 ? `Arpeggio ${parameters.pattern}` : `Arpeggio ${parameters.pattern} ${v + 1}`,
        notes,
      })
    }
    return { suggestions }
  },
})
