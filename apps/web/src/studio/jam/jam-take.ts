import { addClip, type EditOrigin, PPQ, readTrack } from '@ensemble/core'
import type * as Y from 'yjs'
import type { JamNote, JamPlayer } from '../../wire/jam'

/**
 * Recording a jam: every player's notes (this browser's and the bandmates') become a take on the track they
 * played on, one clip per player and track, with the player on the clip ("played live by", core's `liveTake`).
 * Notes land where they were played, at the tick the player's own clock gave them (`note.tick`), not where
 * they sounded here (an interval later, or after the jitter buffer). The clip spans whole bars around them.
 * A note still held when the recording stops ends there. Writing goes through core's `addClip` only.
 */

interface Held {
  pitch: number
  velocity: number
  start: number
}

interface Part {
  player: JamPlayer
  trackId: string
  notes: { pitch: number; velocity: number; start: number; end: number }[]
  held: Map<number, Held>
}

export class JamTake {
  private readonly parts = new Map<string, Part>()
  private readonly startedAt = new Date()

  constructor(private readonly barTicks: number = PPQ * 4) {}

  /** One live note on or off, local or remote. */
  add(note: JamNote): void {
    const key = `${note.player.id}\u0000${note.trackId}`
    let part = this.parts.get(key)
    if (part === undefined) {
      part = { player: note.player, trackId: note.trackId, notes: [], held: new Map() }
      this.parts.set(key, part)
    }
    const tick = Math.max(0, Math.round(note.tick))
    const held = part.held.get(note.pitch)
    if (held !== undefined) {
      // An off, or a repeated on (the off was lost): the held note ends here.
      part.held.delete(note.pitch)
      part.notes.push({ ...held, end: Math.max(tick, held.start + 1) })
    }
    if (note.on && note.velocity > 0)
      part.held.set(note.pitch, { pitch: note.pitch, velocity: note.velocity, start: tick })
  }

  /** Notes taken so far, held ones included. */
  get size(): number {
    let n = 0
    for (const part of this.parts.values()) n += part.notes.length + part.held.size
    return n
  }

  /**
   * Writes the takes into the song: one clip per player and track that still exists, under `origin` (who
   * recorded). `endTick` closes notes still held. Returns the clips written.
   */
  finish(
    doc: Y.Doc,
    origin: EditOrigin,
    endTick: number,
  ): { trackId: string; clipId: string; player: JamPlayer }[] {
    const written: { trackId: string; clipId: string; player: JamPlayer }[] = []
    for (const part of this.parts.values()) {
      for (const held of part.held.values())
        part.notes.push({ ...held, end: Math.max(Math.round(endTick), held.start + 1) })
      part.held.clear()
      if (part.notes.length === 0 || readTrack(doc, part.trackId) === undefined) continue
      const first = Math.min(...part.notes.map((n) => n.start))
      const last = Math.max(...part.notes.map((n) => n.end))
      const start = Math.floor(first / this.barTicks) * this.barTicks
      const length = Math.max(this.barTicks, Math.ceil((last - start) / this.barTicks) * this.barTicks)
      const name = part.player.name || part.player.id
      const { clipId } = addClip(doc, origin, part.trackId, {
        start,
        length,
        name: `Played live by ${name}`,
        liveTake: { playedBy: part.player.id, playerName: name, playedAt: this.startedAt.toISOString() },
        notes: part.notes.map((n) => ({
          pitch: n.pitch,
          velocity: Math.max(1, n.velocity),
          start: n.start - start,
          duration: n.end - n.start,
        })),
      })
      written.push({ trackId: part.trackId, clipId, player: part.player })
    }
    this.parts.clear()
    return written
  }
}
