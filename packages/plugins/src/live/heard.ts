import type { LiveNoteEvent } from '@ensemble/core/plugin'

/*
 * What a partner has heard the followed player play: the events paired into notes (a key's `on` with its
 * next `off`), in beats. Every partner reads the player through this, so all three agree on what a note,
 * a held key and a silence are.
 */

export interface HeardNote {
  pitch: number
  velocity: number
  beat: number
  /** Null while the key is still down. */
  endBeat: number | null
}

/** Notes older than this many beats are forgotten: no partner looks further back than a few bars. */
const MEMORY_BEATS = 64

export class HeardNotes {
  private readonly notes: HeardNote[] = []
  private latest = 0

  hear(events: readonly LiveNoteEvent[]): void {
    for (const e of events) {
      this.latest = Math.max(this.latest, e.beat)
      const open = this.notes.findLast((n) => n.pitch === e.pitch && n.endBeat === null)
      if (e.type === 'on' && e.velocity > 0) {
        // A second `on` of a held key (a lost `off`) ends the first one here.
        if (open) open.endBeat = e.beat
        this.notes.push({ pitch: e.pitch, velocity: e.velocity, beat: e.beat, endBeat: null })
      } else if (open) open.endBeat = Math.max(open.beat, e.beat)
    }
    const horizon = this.latest - MEMORY_BEATS
    while (this.notes.length > 0 && (this.notes[0]?.endBeat ?? Number.POSITIVE_INFINITY) < horizon)
      this.notes.shift()
  }

  /** Keys down now. */
  held(): number {
    return this.notes.filter((n) => n.endBeat === null).length
  }

  /** Notes that started in `[from, to)`. */
  startedIn(from: number, to: number): HeardNote[] {
    return this.notes.filter((n) => n.beat >= from && n.beat < to)
  }

  /** Notes sounding at any time in `[from, to)`, a held one counted as sounding until `to`. */
  soundingIn(from: number, to: number): HeardNote[] {
    return this.notes.filter((n) => n.beat < to && (n.endBeat ?? to) > from)
  }

  /** When the last note ended; null while a key is down or nothing was played. */
  silentSince(): number | null {
    if (this.notes.length === 0 || this.held() > 0) return null
    return Math.max(...this.notes.map((n) => n.endBeat ?? 0))
  }

  /** Notes started at or after `beat` (the current phrase, when `beat` is where it began). */
  since(beat: number): HeardNote[] {
    return this.notes.filter((n) => n.beat >= beat)
  }
}
