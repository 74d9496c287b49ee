import { defineLivePlugin, type LiveNote, type SongKey, type Theory } from '@ensemble/core/plugin'
import type { LiveRegistration } from '../host'
import { type HeardNote, HeardNotes } from './heard'

export const BASS_ID = 'studio.ensemble.live.bass'

export interface ImpliedChord {
  /** Pitch class of the root, C = 0. */
  root: number
  quality: 'major' | 'minor'
}

/**
 * The triad the notes imply: the major or minor triad whose tones hold most of the notes' weight (how long
 * each sounds inside `[from, to)`, louder counting more), notes outside it counting against it, a chord of
 * the key preferred on a tie. Null when nothing sounds.
 */
export function impliedChord(
  notes: readonly HeardNote[],
  from: number,
  to: number,
  key: SongKey,
  theory: Theory,
): ImpliedChord | null {
  const weight = new Array<number>(12).fill(0)
  for (const n of notes) {
    const overlap = Math.min(n.endBeat ?? to, to) - Math.max(n.beat, from)
    if (overlap > 0) weight[n.pitch % 12]! += overlap * (0.5 + n.velocity / 127)
  }
  // The lowest note leans towards being the root, as a player's left hand usually is.
  const lowest = notes
    .filter((n) => n.beat < to && (n.endBeat ?? to) > from)
    .sort((a, b) => a.pitch - b.pitch)[0]
  if (!lowest) return null
  const scale = new Set(theory.scalePitchClasses(key))
  let best: ImpliedChord | null = null
  let bestScore = Number.NEGATIVE_INFINITY
  for (let root = 0; root < 12; root++)
    for (const quality of ['major', 'minor'] as const) {
      const tones = [root, (root + (quality === 'major' ? 4 : 3)) % 12, (root + 7) % 12]
      let score = 0
      weight.forEach((w, pc) => {
        score += tones.includes(pc) ? w : -0.6 * w
      })
      if (lowest.pitch % 12 === root) score += 0.25
      if (tones.every((t) => scale.has(t))) score += 0.1
      if (score > bestScore) {
        bestScore = score
        best = { root, quality }
      }
    }
  return best
}

/** The pitch of pitch class `pc` in the bass register (E1..D#3), nearest `near`. */
function bassPitch(pc: number, near: number): number {
  let best = 28 + ((pc - 4 + 12) % 12)
  for (let p = best; p <= 51; p += 12) if (Math.abs(p - near) < Math.abs(best - near)) best = p
  return best
}

/**
 * Bass: a bass line following the harmony the player implies, from chord estimation (no model). Each half
 * bar it takes the triad the player's notes imply (those of the half bar so far, else the last half bar's):
 * the root on the half bar's first beat, then the fifth, then the root again an octave move away, in root and
 * fifth motion that keeps near the last note. Quarter notes, as loud as the player.
 */
export function bassPartner(): LiveRegistration {
  const plugin = defineLivePlugin({
    manifest: {
      id: BASS_ID,
      name: 'Bass',
      version: '1.0.0',
      hostApi: '^1.0.0',
      kind: 'live',
      description:
        "Plays a bass line on the chords the player implies: each half bar's root, then its fifth, near the last note.",
      author: 'Ensemble',
      licence: 'MIT',
      trackKinds: ['instrument'],
      parameters: [
        { id: 'beatsPerChord', type: 'int', label: 'Beats per chord', min: 1, max: 8, default: 2, step: 1 },
      ],
      assets: [],
      capabilities: ['theory'],
    },
    start(input, ctx) {
      const { song, parameters } = input
      const heard = new HeardNotes()
      const span = parameters.beatsPerChord
      const beatsPerBeat = 4 / song.timeSignature.denominator
      let last = 40
      let chord: ImpliedChord | null = null
      let nextBeat = 0
      return {
        hear(events) {
          heard.hear(events)
        },
        plan(window) {
          const notes: LiveNote[] = []
          nextBeat = Math.max(nextBeat, Math.ceil(window.fromBeat - 1e-9))
          for (; nextBeat < window.toBeat; nextBeat += beatsPerBeat) {
            const chordStart = Math.floor(nextBeat / span) * span
            // What the player has played of this chord's span so far, else the last span.
            const heardNow = Math.min(window.nowBeat, nextBeat)
            chord =
              (heardNow > chordStart
                ? impliedChord(
                    heard.soundingIn(chordStart, heardNow),
                    chordStart,
                    heardNow,
                    song.key,
                    ctx.theory,
                  )
                : null) ??
              impliedChord(
                heard.soundingIn(chordStart - span, chordStart),
                chordStart - span,
                chordStart,
                song.key,
                ctx.theory,
              ) ??
              chord
            if (!chord) continue
            const played = heard.startedIn(nextBeat - span * 2, nextBeat)
            const position = Math.round(nextBeat - chordStart)
            const pc = position % 2 === 1 ? (chord.root + 7) % 12 : chord.root
            last = bassPitch(pc, last)
            notes.push({
              pitch: last,
              beat: nextBeat,
              durationBeats: 0.9 * beatsPerBeat,
              velocity:
                played.length > 0
                  ? Math.round(played.reduce((s, n) => s + n.velocity, 0) / played.length)
                  : 80,
            })
          }
          return notes
        },
      }
    },
  })
  return { plugin }
}
