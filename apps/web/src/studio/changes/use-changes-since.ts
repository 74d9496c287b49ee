'use client'

import { createTRPCClient, httpLink } from '@trpc/client'
import { useCallback, useEffect, useRef, useState } from 'react'
import { api, messageOf } from '../../client/api/client'
import type { AppRouter } from '../../server/api/router'

/** For the visit recorded as the page goes away: `keepalive` lets the request outlive the page. */
const leaving = createTRPCClient<AppRouter>({
  links: [httpLink({ url: '/api/trpc', fetch: (url, init) => fetch(url, { ...init, keepalive: true }) })],
})

export type SinceSummary = Awaited<ReturnType<typeof api.changes.since.query>>

export type SinceState =
  | { readonly status: 'loading' }
  | { readonly status: 'unread'; readonly summary: SinceSummary }
  | { readonly status: 'seen' }
  | { readonly status: 'failed'; readonly message: string }

/**
 * The member's visit, as the server keeps it (`changes.since` / `changes.markSeen`). On open: the
 * summary of what others changed since the last visit; a first visit, or nothing new, counts as seen
 * at once. "Mark as seen" records the head the summary was read at, so edits made since stay unread.
 * Leaving the song with nothing unread records a visit at the log's head, so what bandmates did while
 * the member was here is not news next time; leaving with the summary still unread keeps it for later.
 */
export function useChangesSince(projectId: string): { state: SinceState; markSeen: () => void } {
  const [state, setState] = useState<SinceState>({ status: 'loading' })
  const unread = useRef(true)

  useEffect(() => {
    let cancelled = false
    api.changes.since
      .query({ projectId })
      .then(async (summary) => {
        if (cancelled) return
        if (summary.firstVisit || summary.authors.length === 0) {
          unread.current = false
          setState({ status: 'seen' })
          await api.changes.markSeen.mutate({ projectId, upToSeq: summary.headSeq })
          return
        }
        setState({ status: 'unread', summary })
      })
      .catch((err: unknown) => {
        if (!cancelled) setState({ status: 'failed', message: messageOf(err) })
      })
    const leave = () => {
      if (!unread.current) void leaving.changes.markSeen.mutate({ projectId }).catch(() => {})
    }
    window.addEventListener('pagehide', leave)
    return () => {
      cancelled = true
      window.removeEventListener('pagehide', leave)
      leave()
    }
  }, [projectId])

  const markSeen = useCallback(() => {
    if (state.status !== 'unread') return
    unread.current = false
    setState({ status: 'seen' })
    api.changes.markSeen
      .mutate({ projectId, upToSeq: state.summary.headSeq })
      .catch((err: unknown) => setState({ status: 'failed', message: messageOf(err) }))
  }, [projectId, state])

  return { state, markSeen }
}
