'use client'

import { createContext, useContext } from 'react'
import type { StudioContext } from './commands/command'
import type { JamSession } from './jam/jam-session'
import type { PresencePublisher } from './presence/presence-publisher'
import type { AudioTransport } from './transport/audio-transport'

export interface StudioHandle extends StudioContext {
  /** Shows a refused operation (SongError) or any failure to the user. */
  readonly report: (err: unknown) => void
  /** Runs a song write and reports what it refuses. */
  readonly run: (write: () => void) => void
  /** Sounds a pitch on a track's instrument (piano-roll keys, drum rows); silent until audio starts. */
  readonly audition: (trackId: string, pitch: number, velocity: number) => void
  readonly presence: PresencePublisher
  /** The transport with its sound controls (monitoring, auditions). */
  readonly audio: AudioTransport
  /** This browser's part in the song's live jam: clock, jam state, live notes (`jam/jam-session.ts`). */
  readonly jam: JamSession
}

const Context = createContext<StudioHandle | null>(null)

export const StudioProvider = Context.Provider

export function useStudio(): StudioHandle {
  const handle = useContext(Context)
  if (!handle) throw new Error('useStudio outside the studio')
  return handle
}
