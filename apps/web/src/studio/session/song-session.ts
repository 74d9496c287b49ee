'use client'

import { createUndo, migrateSong, type SongUndo, UserOrigin } from '@ensemble/core'
import { useEffect, useState } from 'react'
import * as Y from 'yjs'
import { connectSong, type SongConnection } from '../../client/collab'

/** Everything a studio view needs for one open song: the shared doc, its connection, and this user's undo. */
export interface SongSession {
  readonly projectId: string
  readonly doc: Y.Doc
  readonly me: UserOrigin
  readonly connection: SongConnection
  readonly undo: SongUndo
  readonly role: 'owner' | 'editor' | 'viewer'
}

interface TokenResponse {
  token: string
  role: SongSession['role']
  user: string
}

/** A stable per-browser user id until accounts exist, so presence and undo survive reloads. */
function localUserId(): string {
  const key = 'ensemble.user'
  const known = localStorage.getItem(key)
  if (known) return known
  const id = `guest-${crypto.randomUUID().slice(0, 8)}`
  localStorage.setItem(key, id)
  return id
}

async function fetchRoomToken(projectId: string, user: string, role: string): Promise<TokenResponse> {
  const params = new URLSearchParams({ project: projectId, user, role })
  const res = await fetch(`/api/dev-token?${params}`)
  if (!res.ok) throw new Error(`Could not get a room token (${res.status})`)
  return (await res.json()) as TokenResponse
}

export type SessionState =
  | { readonly status: 'connecting' }
  | { readonly status: 'ready'; readonly session: SongSession }
  | { readonly status: 'failed'; readonly message: string }

export function useSongSession(projectId: string, role: SongSession['role'] = 'editor'): SessionState {
  const [state, setState] = useState<SessionState>({ status: 'connecting' })

  useEffect(() => {
    let cancelled = false
    let session: SongSession | null = null
    const doc = new Y.Doc()
    fetchRoomToken(projectId, localUserId(), role)
      .then(({ token, user, role: granted }) => {
        if (cancelled) return
        const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
        const connection = connectSong({ url: `${scheme}://${location.host}/collab`, projectId, token, doc })
        const me = new UserOrigin(user)
        session = { projectId, doc, me, connection, undo: createUndo(doc, me), role: granted }
        // Only after the first sync can a replica tell a new song from one it has not received yet.
        const onSync = (synced: boolean) => {
          if (!synced || cancelled || !session) return
          connection.provider.off('sync', onSync)
          if (granted !== 'viewer') migrateSong(doc)
          setState({ status: 'ready', session })
        }
        connection.provider.on('sync', onSync)
        connection.provider.awareness.setLocalStateField('user', {
          id: user,
          name: user,
          colour: colourFor(user),
        })
      })
      .catch((err: unknown) => {
        if (!cancelled)
          setState({ status: 'failed', message: err instanceof Error ? err.message : String(err) })
      })
    return () => {
      cancelled = true
      session?.undo.destroy()
      session?.connection.destroy()
      doc.destroy()
    }
  }, [projectId, role])

  return state
}

const PRESENCE_COLOURS = [
  '#f87171',
  '#fbbf24',
  '#34d399',
  '#60a5fa',
  '#a78bfa',
  '#f472b6',
  '#2dd4bf',
  '#fb923c',
]

/** Same colour for the same person in every browser, without coordination. */
export function colourFor(userId: string): string {
  let hash = 0
  for (const ch of userId) hash = (hash * 31 + ch.charCodeAt(0)) | 0
  return PRESENCE_COLOURS[Math.abs(hash) % PRESENCE_COLOURS.length]!
}
