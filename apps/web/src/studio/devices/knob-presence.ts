'use client'

import { useMemo } from 'react'
import type { Awareness } from 'y-protocols/awareness'
import { useAwarenessRead } from '../presence/awareness-read'
import { useStudio } from '../studio-context'

/**
 * Who is holding which knob, under the awareness field `knob`: `{ device, param }` while this tab drags a
 * device parameter, null otherwise. Awareness rather than the song because a grab is presence, not an edit:
 * it goes when the tab goes, and the server only relays each connection's own state, so nobody can claim
 * that a bandmate is dragging.
 */
export interface KnobGrab {
  readonly device: string
  readonly param: string
}

export interface RemoteGrab extends KnobGrab {
  readonly clientId: number
  readonly name: string
  readonly colour: string
}

const FIELD = 'knob'
const MAX_ID = 128

export function publishGrab(awareness: Awareness, grab: KnobGrab | null): void {
  awareness.setLocalStateField(FIELD, grab)
}

/** Awareness states are untrusted JSON from other tabs: keep a grab only when it is two short strings. */
export function parseGrab(raw: unknown): KnobGrab | null {
  if (typeof raw !== 'object' || raw === null) return null
  const { device, param } = raw as { device?: unknown; param?: unknown }
  if (typeof device !== 'string' || typeof param !== 'string') return null
  if (device.length === 0 || device.length > MAX_ID || param.length === 0 || param.length > MAX_ID)
    return null
  return { device, param }
}

/** Every other tab's grab, sorted by client id so two grabs of one knob show in a stable order. */
export function readRemoteGrabs(awareness: Awareness): RemoteGrab[] {
  const out: RemoteGrab[] = []
  for (const [clientId, state] of awareness.getStates()) {
    if (clientId === awareness.clientID) continue
    const grab = parseGrab((state as { knob?: unknown }).knob)
    if (grab === null) continue
    const user = (state as { user?: { id?: unknown; name?: unknown; colour?: unknown } }).user
    if (typeof user?.id !== 'string') continue
    out.push({
      ...grab,
      clientId,
      name: typeof user.name === 'string' ? user.name : user.id,
      colour: typeof user.colour === 'string' ? user.colour : '#9aa3b5',
    })
  }
  return out.sort((a, b) => a.clientId - b.clientId)
}

const sameGrabs = (a: readonly RemoteGrab[], b: readonly RemoteGrab[]): boolean =>
  a.length === b.length &&
  a.every(
    (g, i) =>
      g.clientId === b[i]!.clientId &&
      g.device === b[i]!.device &&
      g.param === b[i]!.param &&
      g.name === b[i]!.name &&
      g.colour === b[i]!.colour,
  )

/** Bandmates' grabs; the list keeps its identity while nobody grabs or lets go (cursors move every frame). */
export function useRemoteGrabs(): readonly RemoteGrab[] {
  const { session } = useStudio()
  const read = useMemo(() => {
    let last: RemoteGrab[] = []
    return (awareness: Awareness) => {
      const next = readRemoteGrabs(awareness)
      if (!sameGrabs(next, last)) last = next
      return last
    }
  }, [])
  return useAwarenessRead(session.connection.provider.awareness, read)
}
