'use client'

import { createUndo, migrateSong, type SongUndo, UserOrigin } from '@ensemble/core'
import { useEffect, useState } from 'react'
import * as Y from 'yjs'
import { api, errorCode, messageOf } from '../../client/api/client'
import { connectSong, type SongConnection } from '../../client/collab'
import { presenceColour } from '../../presence/colour'
import { CloseCode } from '../../wire/collab'

/** Everything a studio view needs for one open song: the shared doc, its connection, and this user's undo. */
export interface SongSession {
  readonly projectId: string
  readonly doc: Y.Doc
  readonly me: UserOrigin
  /** The name bandmates see for this user (the room token's), e.g. on a take played live. */
  readonly userName: string
  readonly connection: SongConnection
  readonly undo: SongUndo
  readonly role: 'owner' | 'editor' | 'viewer'
}

type Grant = Awaited<ReturnType<typeof api.rooms.token.mutate>>

function explain(err: unknown): string {
  const code = errorCode(err)
  if (code === 'UNAUTHORIZED') return 'Sign in to open this song.'
  if (code === 'NOT_FOUND') return 'This song does not exist, or you are not a member of it.'
  return `Could not open the song: ${messageOf(err)}`
}

export type SessionState =
  | { readonly status: 'connecting' }
  | { readonly status: 'ready'; readonly session: SongSession }
  | { readonly status: 'failed'; readonly message: string }

/**
 * Opens a song with a room token from the API (`rooms.token`: members only, short-lived). While
 * the tab is open the token is renewed at half-life, so y-websocket's reconnects always carry a
 * valid one. A role change (close 4001) re-reads the role at once and hands the studio a session
 * with the new role; removal (4403) ends the session with a message.
 */
export function useSongSession(projectId: string): SessionState {
  const [state, setState] = useState<SessionState>({ status: 'connecting' })

  useEffect(() => {
    let cancelled = false
    let session: SongSession | null = null
    let renewTimer: ReturnType<typeof setTimeout> | undefined
    const doc = new Y.Doc()

    const fail = (message: string) => {
      if (cancelled) return
      cancelled = true
      clearTimeout(renewTimer)
      session?.connection.destroy()
      setState({ status: 'failed', message })
    }

    /** Puts a fresh token on the provider (used by its next reconnect) and applies the role it carries. */
    const apply = (grant: Grant) => {
      if (cancelled || session === null) return
      session.connection.provider.params.token = grant.token
      if (grant.role !== session.role) {
        session = { ...session, role: grant.role }
        setState({ status: 'ready', session })
      }
      scheduleRenewal(grant)
    }

    const renew = () => {
      api.rooms.token
        .mutate({ projectId })
        .then(apply)
        .catch((err: unknown) => {
          const code = errorCode(err)
          if (code === 'NOT_FOUND' || code === 'UNAUTHORIZED') fail(explain(err))
          // Anything else (network): try again soon; the open connection does not need the token.
          else if (!cancelled) renewTimer = setTimeout(renew, 5000)
        })
    }

    const scheduleRenewal = (grant: Grant) => {
      clearTimeout(renewTimer)
      renewTimer = setTimeout(renew, Math.max(5000, (grant.expiresAt - Date.now()) / 2))
    }

    api.rooms.token
      .mutate({ projectId })
      .then((grant) => {
        if (cancelled) return
        const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
        const connection = connectSong({
          url: `${scheme}://${location.host}/collab`,
          projectId,
          token: grant.token,
          doc,
        })
        const me = new UserOrigin(grant.userId)
        session = {
          projectId,
          doc,
          me,
          userName: grant.name ?? grant.userId,
          connection,
          undo: createUndo(doc, me),
          role: grant.role,
        }
        scheduleRenewal(grant)
        connection.provider.on('connection-close', (event) => {
          if (event?.code === CloseCode.roleChanged) renew()
        })
        connection.provider.on('closed', (event) => {
          if (event.code === CloseCode.accessRevoked) fail('You no longer have access to this song.')
          if (event.code === CloseCode.refusedWrite)
            fail('This tab made a change only the server may make (an AI suggestion). Reload the song.')
        })
        // Only after the first sync can a replica tell a new song from one it has not received yet.
        const onSync = (synced: boolean) => {
          if (!synced || cancelled || !session) return
          connection.provider.off('sync', onSync)
          if (session.role !== 'viewer') migrateSong(doc)
          setState({ status: 'ready', session })
        }
        connection.provider.on('sync', onSync)
        connection.provider.awareness.setLocalStateField('user', {
          id: grant.userId,
          name: grant.name,
          colour: colourFor(grant.userId),
        })
      })
      .catch((err: unknown) => fail(explain(err)))
    return () => {
      cancelled = true
      clearTimeout(renewTimer)
      session?.undo.destroy()
      session?.connection.destroy()
      doc.destroy()
    }
  }, [projectId])

  return state
}

/** Same colour for the same person in every browser, without coordination (the server stamps the same). */
export const colourFor = presenceColour
