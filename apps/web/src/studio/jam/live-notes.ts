import type { JamNote, JamPlayer } from '../../wire/jam'

/**
 * The jam's stream of live notes, for anything that listens to the band as it plays: the AI partner (which
 * listens to one chosen player and plays as one more), the jam's take recorder, tests and benches. Every note
 * comes with its musical time as played (`note.tick`, on the player's own clock) and where it sounds in this
 * browser (`soundAt` on the shared server clock, `soundTick` on the jam's timeline): a listener that answers
 * in time schedules against those, not against its arrival.
 */

export interface LiveNoteEvent {
  readonly note: JamNote
  /** `local`: played in this browser (computer keys, Web MIDI); `remote`: a bandmate's, through the server. */
  readonly origin: 'local' | 'remote'
  /** Server-clock ms at which it sounds here (a local note: when it was played). */
  readonly soundAt: number
  /** The jam's song tick at `soundAt` (interval mode: one interval after `note.tick`). */
  readonly soundTick: number
  /**
   * The same moment on this browser's own clock (`performance.now()`), as handed to the audio transport (a
   * local note: when it was played). With `performance.timeOrigin` it places the note on the machine's clock,
   * which is how the e2e suite checks two browsers against each other without trusting their clock estimates.
   */
  readonly localAt: number
}

export interface LiveNoteFilter {
  /** Only this player's notes (a user id); the local player's id is the session's user. */
  readonly player?: string
  readonly origin?: LiveNoteEvent['origin']
}

export interface LiveNotes {
  /** Calls `listener` with every note that passes `filter`; returns the unsubscribe function. */
  subscribe(listener: (event: LiveNoteEvent) => void, filter?: LiveNoteFilter): () => void
  /** The players heard so far in this jam, this browser's own first. */
  players(): readonly JamPlayer[]
}

/** The stream the jam session feeds (`emit`); others see it as `LiveNotes`. */
export class LiveNoteStream implements LiveNotes {
  private readonly listeners = new Set<{ listener: (event: LiveNoteEvent) => void; filter: LiveNoteFilter }>()
  private readonly heard = new Map<string, JamPlayer>()

  constructor(self: JamPlayer) {
    this.heard.set(self.id, self)
  }

  subscribe(listener: (event: LiveNoteEvent) => void, filter: LiveNoteFilter = {}): () => void {
    const entry = { listener, filter }
    this.listeners.add(entry)
    return () => this.listeners.delete(entry)
  }

  players(): readonly JamPlayer[] {
    return [...this.heard.values()]
  }

  emit(event: LiveNoteEvent): void {
    if (!this.heard.has(event.note.player.id)) this.heard.set(event.note.player.id, event.note.player)
    for (const { listener, filter } of [...this.listeners]) {
      if (filter.player !== undefined && filter.player !== event.note.player.id) continue
      if (filter.origin !== undefined && filter.origin !== event.origin) continue
      listener(event)
    }
  }

  clear(): void {
    this.listeners.clear()
  }
}
