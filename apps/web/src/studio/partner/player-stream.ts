import { type LiveNoteEvent, PPQ } from '@ensemble/core/plugin'
import type { LiveNotes } from '../jam/live-notes'

/*
 * What a partner follows: a player's note events in the song's beats. The local player's comes from the
 * computer keys and Web MIDI (recording/record-controls.tsx publishes into it); the jam's remote players are
 * the same interface, so the partner panel's `followPlayer(stream)` takes either.
 */
export interface PlayerStream {
  subscribe(listener: (event: LiveNoteEvent) => void): () => void
}

export interface LocalPlayer extends PlayerStream {
  noteOn(pitch: number, velocity: number): void
  noteOff(pitch: number): void
}

/** The local player, stamped with where the song is (ticks → beats) as each key goes down or up. */
export function createLocalPlayer(position: () => number): LocalPlayer {
  const listeners = new Set<(event: LiveNoteEvent) => void>()
  const emit = (event: LiveNoteEvent) => {
    for (const l of [...listeners]) l(event)
  }
  const beat = () => Math.max(0, position() / PPQ)
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    noteOn: (pitch, velocity) =>
      emit({ type: 'on', pitch, velocity: Math.max(1, Math.min(127, velocity)), beat: beat() }),
    noteOff: (pitch) => emit({ type: 'off', pitch, velocity: 0, beat: beat() }),
  }
}

const players = new WeakMap<object, LocalPlayer>()

/** One local player per studio session: the record controls publish into it, the partner panel follows it. */
export function localPlayerOf(session: object, position: () => number): LocalPlayer {
  let player = players.get(session)
  if (!player) {
    player = createLocalPlayer(position)
    players.set(session, player)
  }
  return player
}

/**
 * A bandmate in the jam as a partner hears them: their notes from the jam's live-note stream (only theirs, only
 * as received from the server), each at the beat where it sounds in this browser (`soundTick`: after the
 * jitter buffer, or one interval later), since that is the music the partner plays along with here.
 */
export function remotePlayer(notes: LiveNotes, playerId: string): PlayerStream {
  return {
    subscribe: (listener) =>
      notes.subscribe(
        (event) =>
          listener({
            type: event.note.on ? 'on' : 'off',
            pitch: event.note.pitch,
            velocity: event.note.on ? Math.max(1, Math.min(127, event.note.velocity)) : 0,
            beat: Math.max(0, event.soundTick / PPQ),
          }),
        { player: playerId, origin: 'remote' },
      ),
  }
}
