import { definePlugin } from '@ensemble/plugin-sdk'

/*
 * A Markov chain over scale degrees, learned from the notes in the window (the target track's and the other
 * pitched tracks'), then walked from a seeded start. Learning degrees rather than pitches lets a short window
 * teach the chain something usable, and every note it writes is in the key by construction. Rhythm comes
 * from the same notes: the chain's durations are drawn from the inter-onset intervals it saw.
 */

const EIGHTH = 240

interface Note {
  pitch: number
  start: number
  duration: number
  velocity: number
}

type Chain = Map<string, Map<number, number>>

export default definePlugin({
  manifest: {
    id: 'com.example.markov-melody',
    name: 'Markov Melody',
    version: '1.0.0',
    hostApi: '^1.0.0',
    kind: 'generator',
    description:
      'Learns a Markov chain over scale degrees from the notes around it and writes a melody in key.',
    author: 'Example Plugins',
    licence: 'MIT',
    trackKinds: ['instrument'],
    parameters: [
      { id: 'order', type: 'int', label: 'Memory (notes)', min: 1, max: 3, default: 2 },
      { id: 'rests', type: 'float', label: 'Rests', min: 0, max: 0.5, default: 0.1, step: 0.05, units: '%' },
      { id: 'octave', type: 'int', label: 'Octave', min: 3, max: 6, default: 5 },
    ],
    assets: [],
    capabilities: ['theory'],
  },
  suggest(input, ctx) {
    const { song, target, context, parameters } = input
    const { theory } = ctx
    const scale = theory.scalePitches(song.key, 0, 127)
    const length = target.toTick - target.fromTick
    const degreeOf = (pitch: number) => scale.indexOf(theory.snapToScale(pitch, song.key))

    // Each pitched track as one line of degrees: its highest note at each onset.
    const lines: Note[][] = [
      target.notes,
      ...context.filter((t) => t.kind !== 'drums').map((t) => t.notes),
    ].map((notes) => {
      const byStart = new Map<number, Note>()
      for (const n of notes) {
        const seen = byStart.get(n.start)
        if (!seen || n.pitch > seen.pitch) byStart.set(n.start, n)
      }
      return [...byStart.values()].sort((a, b) => a.start - b.start)
    })

    // Intervals between degrees, keyed by the previous `order` intervals: transposable, so a phrase learned in
    // the bass can be sung an octave up.
    const chain: Chain = new Map()
    const onsets: number[] = []
    for (const line of lines) {
      const degrees = line.map((n) => degreeOf(n.pitch))
      const moves = degrees.slice(1).map((d, i) => d - degrees[i]!)
      for (let i = 0; i < moves.length; i++) {
        const key = moves.slice(Math.max(0, i - parameters.order), i).join(',')
        const next = chain.get(key) ?? new Map<number, number>()
        next.set(moves[i]!, (next.get(moves[i]!) ?? 0) + 1)
        chain.set(key, next)
      }
      for (let i = 1; i < line.length; i++) {
        const ioi = line[i]!.start - line[i - 1]!.start
        if (ioi >= EIGHTH / 2 && ioi <= 4 * EIGHTH * 2) onsets.push(ioi)
      }
    }
    if (onsets.length === 0) onsets.push(EIGHTH, EIGHTH, 2 * EIGHTH)

    /** Draws the next move from the longest context the chain knows, backing off to shorter ones. */
    function nextMove(history: number[], random: () => number): number {
      for (let k = Math.min(parameters.order, history.length); k >= 0; k--) {
        const options = chain.get(history.slice(history.length - k).join(','))
        if (!options) continue
        const total = [...options.values()].reduce((a, b) => a + b, 0)
        let pick = random() * total
        for (const [move, count] of [...options.entries()].sort((a, b) => a[0] - b[0])) {
          pick -= count
          if (pick < 0) return move
        }
      }
      // Nothing learned: a step up or down the scale.
      return random() < 0.5 ? -1 : 1
    }

    const home = degreeOf(12 * (parameters.octave + 1) + theory.pitchClassOf(song.key.tonic))
    const suggestions = []
    for (let v = 0; v < input.variations; v++) {
      const random = ctx.fork(v)
      let degree = home + [0, 2, 4][Math.floor(random() * 3)]!
      const history: number[] = []
      const notes: Note[] = []
      for (let start = 0; start < length; ) {
        const ioi = onsets[Math.floor(random() * onsets.length)]!
        if (random() >= parameters.rests) {
          const duration = Math.min(ioi, length - start)
          notes.push({ pitch: scale[degree]!, start, duration, velocity: 64 + Math.floor(random() * 32) })
          const move = nextMove(history, random)
          history.push(move)
          // Kept within an octave and a half of home, so the walk cannot wander off the keyboard.
          degree = Math.min(home + 10, Math.max(home - 7, degree + move))
        }
        start += ioi
      }
      suggestions.push({ label: `Markov ${v + 1}`, notes })
    }
    return { suggestions }
  },
})
