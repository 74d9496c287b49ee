/*
 * "What next": a short list of things the AI could do for the song as it stands, each one click away in the
 * studio (the plugin kind, the track and the bars to ask for). Pure rules over the song read model, so the
 * list changes as the band plays: an empty drum track under a finished melody asks for Drums, a song with no
 * bass for the Arranger, a melody that stops before the rest of the song (or at its first phrase) for
 * Continue, a lone melody for the Harmonizer.
 */
import { type TimeSignature, ticksPerBar } from '../music/index'
import { playedNotes } from './read'
import type { SongSnapshot, TrackSnapshot } from './schema'

/**
 * Which of the studio's AI tools to open: Drums and Continue are generators (on a drum, resp. an instrument
 * track), the Arranger and the Harmonizer are plugin kinds of their own.
 */
export type NextAction = 'drums' | 'continue' | 'arranger' | 'harmonizer'

export interface NextStep {
  /** Stable per rule and track, for React keys and tests. */
  readonly id: string
  readonly action: NextAction
  /** What the button says. */
  readonly title: string
  /** Why it is offered, from the song's state. */
  readonly why: string
  readonly trackId: string
  /** The bars to select in the AI panel (a generator then writes after them, see the studio's suggest-range). */
  readonly fromTick: number
  readonly toTick: number
}

/** At most this many steps: a short list to pick from, not a checklist. */
export const MAX_NEXT_STEPS = 3
/** Mean pitch under which a pitched track counts as the bass (E3). */
const BASS_BELOW = 52
/** A phrase: a melody shorter than this many bars is worth continuing even when nothing else is longer. */
const PHRASE_BARS = 8

interface Played {
  readonly track: TrackSnapshot
  readonly notes: number
  readonly end: number
  readonly meanPitch: number
}

function played(track: TrackSnapshot): Played {
  const notes = track.clips.flatMap(playedNotes)
  return {
    track,
    notes: notes.length,
    end: notes.reduce((e, n) => Math.max(e, n.start + n.duration), 0),
    meanPitch: notes.length > 0 ? notes.reduce((s, n) => s + n.pitch, 0) / notes.length : 0,
  }
}

const barCeil = (tick: number, bar: number): number => Math.ceil(tick / bar) * bar

export function nextSteps(
  song: Pick<SongSnapshot, 'tracks'> & { meta: { timeSignature: TimeSignature } },
): NextStep[] {
  const bar = ticksPerBar(song.meta.timeSignature)
  const tracks = song.tracks.map(played)
  const pitched = tracks.filter((t) => t.track.kind === 'instrument' && t.notes > 0)
  const drums = tracks.filter((t) => t.track.kind === 'drums')
  const songEnd = barCeil(Math.max(0, ...tracks.map((t) => t.end)), bar)
  // The melody: the highest pitched track that plays (a band's lead sits on top).
  const melody = [...pitched].sort((a, b) => b.meanPitch - a.meanPitch)[0]
  if (melody === undefined) return []
  const melodyEnd = barCeil(melody.end, bar)
  const steps: NextStep[] = []

  const emptyDrums = drums.find((d) => d.notes === 0)
  if (emptyDrums !== undefined && drums.every((d) => d.notes === 0))
    steps.push({
      id: `drums:${emptyDrums.track.id}`,
      action: 'drums',
      title: `Drums under ${melody.track.name || 'the melody'}`,
      why: `The drum track is empty under ${melodyEnd / bar} bars of ${melody.track.name || 'melody'}.`,
      trackId: emptyDrums.track.id,
      fromTick: 0,
      toTick: Math.max(bar, songEnd),
    })

  const hasBass = pitched.some((t) => t !== melody && t.meanPitch < BASS_BELOW)
  if (!hasBass)
    steps.push({
      id: `arranger:${melody.track.id}`,
      action: 'arranger',
      title: 'Arrange: bass and harmony',
      why: 'Nothing plays a bass line yet.',
      trackId: melody.track.id,
      fromTick: 0,
      toTick: Math.max(bar, melodyEnd),
    })

  const stopsEarly = melodyEnd < songEnd || melodyEnd <= PHRASE_BARS * bar
  if (stopsEarly)
    steps.push({
      id: `continue:${melody.track.id}`,
      action: 'continue',
      title: `Continue ${melody.track.name || 'the melody'}`,
      why:
        melodyEnd < songEnd
          ? `It stops at bar ${melodyEnd / bar + 1}; the song goes on to bar ${songEnd / bar}.`
          : `It stops at bar ${melodyEnd / bar + 1}.`,
      trackId: melody.track.id,
      // The melody itself: Continue goes on after the range it is given.
      fromTick: 0,
      toTick: Math.max(bar, melodyEnd),
    })

  if (pitched.length === 1)
    steps.push({
      id: `harmonizer:${melody.track.id}`,
      action: 'harmonizer',
      title: `Harmonize ${melody.track.name || 'the melody'}`,
      why: 'The melody plays alone.',
      trackId: melody.track.id,
      fromTick: 0,
      toTick: Math.max(bar, melodyEnd),
    })

  return steps.slice(0, MAX_NEXT_STEPS)
}
