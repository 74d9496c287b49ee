'use client'

import { createContext, useContext, useSyncExternalStore } from 'react'
import { api } from '../../client/api/client'
import type { ChatView, CommentView, DiscussionEvent } from '../../discussion/events'
import { discussionLimits } from '../../discussion/limits'
import type { Mentionable } from '../../discussion/mentions'
import type { SongSession } from '../session/song-session'

/** Threads per page read from the API: the newest page on open, then older ones on demand. */
const THREAD_PAGE = discussionLimits.maxPageSize

/**
 * The open song's conversation in this tab: the comments (every thread page read so far), the chat's
 * history and live lines, the members (for mentions) and whether this user may write. Filled from the API,
 * kept live by the collab connection's events (message 101), and read again after every reconnect, since an
 * event sent while the socket was down is not sent again.
 */
export interface DiscussionState {
  /** Threads (their first comments) and their replies, newest page first plus every older page asked for. */
  readonly comments: ReadonlyMap<string, CommentView>
  /** Threads older than the oldest one read are still on the server. */
  readonly olderThreads: boolean
  readonly chat: readonly ChatView[]
  readonly chatHasMore: boolean
  readonly members: readonly Mentionable[]
  readonly canComment: boolean
  readonly viewerComments: boolean
  /** Mentions of me that arrived live while this tab was open and I have not opened the comments since. */
  readonly newMentions: number
  /** Chat lines by others since the chat was last open. */
  readonly newChat: number
}

export interface DiscussionStore {
  get(): DiscussionState
  subscribe(listener: () => void): () => void
  /** Older chat lines, before the oldest one loaded. */
  loadOlderChat(): Promise<void>
  /** The next page of older threads, with their replies. */
  loadOlderThreads(): Promise<void>
  /** The panel for this kind was opened: its "new" count starts again, and the song is marked read. */
  seen(kind: 'comments' | 'chat'): void
  destroy(): void
}

const EMPTY: DiscussionState = {
  comments: new Map(),
  olderThreads: false,
  chat: [],
  chatHasMore: false,
  members: [],
  canComment: false,
  viewerComments: true,
  newMentions: 0,
  newChat: 0,
}

/** The API the store reads; the browser's by default, a test's signed-in client in tests. */
type DiscussionApi = Pick<typeof api, 'discussion' | 'members' | 'comments' | 'chat'>

export function createDiscussionStore(
  session: Pick<SongSession, 'projectId' | 'connection'>,
  myUserId: string,
  client: DiscussionApi = api,
): DiscussionStore {
  let state = EMPTY
  const listeners = new Set<() => void>()
  const set = (next: Partial<DiscussionState>) => {
    state = { ...state, ...next }
    for (const l of listeners) l()
  }
  const projectId = session.projectId
  let destroyed = false
  /** Where the next older page of threads starts (the API's cursor); null when there is none. */
  let threadCursor: string | null = null
  /**
   * Counts full reads. A full read starts the threads again from the newest page (older pages read
   * before it may have missed a deletion while the socket was down), so an older page that was on its
   * way when one began is dropped.
   */
  let reads = 0
  let readingOlder: Promise<void> | null = null
  /** Comments deleted since this tab opened: an older page read before the deletion must not bring one back. */
  const deleted = new Set<string>()

  const load = async () => {
    const read = ++reads
    try {
      const [settings, members, page, chat] = await Promise.all([
        client.discussion.settings.query({ projectId }),
        client.members.list.query({ projectId }),
        client.comments.list.query({ projectId, limit: THREAD_PAGE }),
        client.chat.list.query({ projectId }),
      ])
      if (destroyed || read !== reads) return
      threadCursor = page.nextCursor
      set({
        canComment: settings.canComment,
        viewerComments: settings.viewerComments,
        members: members.map((m) => ({ userId: m.userId, name: m.name })),
        comments: new Map(page.comments.map((c) => [c.id, c])),
        olderThreads: page.nextCursor !== null,
        chat: chat.messages,
        chatHasMore: chat.hasMore,
      })
    } catch {
      // The panels stay as they were; the next reconnect reads again.
    }
  }

  const onEvent = (event: DiscussionEvent) => {
    if (event.type === 'comment') {
      const comments = new Map(state.comments)
      const isNew = !comments.has(event.comment.id)
      comments.set(event.comment.id, event.comment)
      const mentionsMe = isNew && event.comment.mentions.includes(myUserId)
      set({ comments, newMentions: state.newMentions + (mentionsMe ? 1 : 0) })
    } else if (event.type === 'comment-deleted') {
      deleted.add(event.id)
      const comments = new Map(state.comments)
      comments.delete(event.id)
      for (const [id, c] of comments) if (c.parentId === event.id) comments.delete(id)
      set({ comments })
    } else if (!state.chat.some((m) => m.id === event.message.id)) {
      const chat = [...state.chat, event.message].sort((a, b) => a.seq - b.seq)
      set({ chat, newChat: state.newChat + (event.message.authorId === myUserId ? 0 : 1) })
    }
  }

  // A bandmate who joined after the members were read is mentionable as soon as they show up here.
  let readingMembers = false
  const onPresence = () => {
    if (readingMembers) return
    const known = new Set(state.members.map((m) => m.userId))
    const newcomer = [...awareness.getStates().values()].some((s) => {
      const id = (s as { user?: { id?: unknown } }).user?.id
      return typeof id === 'string' && !known.has(id)
    })
    if (!newcomer) return
    readingMembers = true
    client.members.list
      .query({ projectId })
      .then((rows) => {
        if (!destroyed) set({ members: rows.map((m) => ({ userId: m.userId, name: m.name })) })
      })
      .catch(() => {})
      .finally(() => {
        readingMembers = false
      })
  }

  const unsubscribe = session.connection.discussion.subscribe(onEvent)
  const provider = session.connection.provider
  const awareness = provider.awareness
  awareness.on('change', onPresence)
  const onStatus = ({ status }: { status: string }) => {
    if (status === 'connected') void load()
  }
  provider.on('status', onStatus)
  void load()

  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async loadOlderChat() {
      const oldest = state.chat[0]
      if (oldest === undefined) return
      const page = await client.chat.list.query({ projectId, before: oldest.seq })
      set({ chat: [...page.messages, ...state.chat], chatHasMore: page.hasMore })
    },
    loadOlderThreads() {
      // One page at a time: a second click while the first is on its way asks for nothing more.
      readingOlder ??= (async () => {
        const before = threadCursor
        if (before === null) return
        const read = reads
        const page = await client.comments.list.query({ projectId, before, limit: THREAD_PAGE })
        if (destroyed || read !== reads) return
        threadCursor = page.nextCursor
        const comments = new Map(state.comments)
        // A thread that arrived live meanwhile is already here, and newer than what the page says.
        for (const c of page.comments) {
          const gone = deleted.has(c.id) || (c.parentId !== null && deleted.has(c.parentId))
          if (!gone && !comments.has(c.id)) comments.set(c.id, c)
        }
        set({ comments, olderThreads: page.nextCursor !== null })
      })().finally(() => {
        readingOlder = null
      })
      return readingOlder
    },
    seen(kind) {
      set(kind === 'comments' ? { newMentions: 0 } : { newChat: 0 })
      client.discussion.markRead.mutate({ projectId }).catch(() => {})
    },
    destroy() {
      destroyed = true
      unsubscribe()
      provider.off('status', onStatus)
      awareness.off('change', onPresence)
      listeners.clear()
    },
  }
}

const Context = createContext<DiscussionStore | null>(null)
export const DiscussionProvider = Context.Provider

export function useDiscussion(): DiscussionState {
  const store = useDiscussionStore()
  return useSyncExternalStore(store.subscribe, store.get, store.get)
}

export function useDiscussionStore(): DiscussionStore {
  const store = useContext(Context)
  if (store === null) throw new Error('useDiscussion outside the studio')
  return store
}
