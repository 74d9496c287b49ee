'use client'

import { useEffect, useState } from 'react'
import { api } from '../../client/api/client'
import { usePresence } from '../session/hooks'
import type { SongSession } from '../session/song-session'

/**
 * Names for the user ids that provenance keeps: the song's members (asked once per song), and whoever
 * is here now (so a member who joined after the list was read is still named). Falls back to "someone".
 */
export function useMemberNames(session: SongSession): (userId: string) => string {
  const people = usePresence(session)
  const [members, setMembers] = useState<ReadonlyMap<string, string>>(new Map())
  const here = people.map((p) => `${p.id}:${p.name}`).join(',')
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read the members when someone new arrives
  useEffect(() => {
    let cancelled = false
    api.members.list
      .query({ projectId: session.projectId })
      .then((rows) => {
        if (!cancelled) setMembers(new Map(rows.map((r) => [r.userId, r.name])))
      })
      // Names are a courtesy: without them the inspector says "someone".
      .catch(() => {})
    return () => {
      cancelled = true
    }
  }, [session.projectId, here])
  return (userId) => people.find((p) => p.id === userId)?.name ?? members.get(userId) ?? 'someone'
}
