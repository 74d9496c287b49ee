'use client'

import type { Awareness } from 'y-protocols/awareness'
import { useStudio } from '../studio-context'
import { useAwarenessRead } from './awareness-read'
import { parsePresence, type ViewPresence } from './view-presence'

export interface RemoteView extends ViewPresence {
  readonly clientId: number
  readonly name: string
  readonly colour: string
}

/** Every other tab's view, from awareness; the list object changes only when awareness does. */
export function readRemoteViews(awareness: Awareness): RemoteView[] {
  const out: RemoteView[] = []
  for (const [clientId, state] of awareness.getStates()) {
    if (clientId === awareness.clientID) continue
    const user = (state as { user?: { id?: unknown; name?: unknown; colour?: unknown } }).user
    if (typeof user?.id !== 'string') continue
    out.push({
      ...parsePresence((state as { view?: unknown }).view),
      clientId,
      name: typeof user.name === 'string' ? user.name : user.id,
      colour: typeof user.colour === 'string' ? user.colour : '#9aa3b5',
    })
  }
  return out.sort((a, b) => a.clientId - b.clientId)
}

export function useRemoteViews(): readonly RemoteView[] {
  const { session } = useStudio()
  return useAwarenessRead(session.connection.provider.awareness, readRemoteViews)
}
