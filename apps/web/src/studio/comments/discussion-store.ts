'use client'

import { createContext, useContext, useSyncExternalStore } from 'react'
import { api } from '../../client/api/client'
import type { ChatView, CommentView, DiscussionEvent } from '../../discussion/events'
import type { Mentionable } from '../../discussion/mentions'
import type { SongSession } from '../session/song-session'

/**
 * The open song's conversation in this tab: the comments (every thread page read so far), the chat's
 * history and live lines, the members (for mentions) and whether this user may write. Filled from the API,
 * kept live by the collab connection's events (message 101), and read again after every reconnect, since an
 * event sent while the socket was down is not sent again.
 */
export interface DiscussionState {
  readonly comments: ReadonlyMap<string, CommentView>
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
  /** The panel for this kind was opened: its "new" count starts again, and the song is marked read. */
  seen(kind: 'comments' | 'chat'): void
  destroy(): void
}

const EMPTY: DiscussionState = {
  comments: new Map(),
  chat: [],
  chatHasMore: false,
  members: [],
  canComment: false,
  viewerComments: true,
  newMentions: 0,
  newChat: 0,
}

export function createDiscussionStore(session: SongSession, myUserId: string): DiscussionStore {
  let state = EMPTY
  const listeners = new Set<() => void>()
  const set = (next: Partial<DiscussionState>) => {
    state = { ...state, ...next }
    for (const l of listeners) l()
  }
  const projectId = session.projectId
  let destroyed = false

  const load = async () => {
    try {
      const [settings, members, page, chat] = await Promise.all([
        api.discussion.settings.query({ projectId }),
        api.members.list.query({ projectId }),
        api.comments.list.query({ projectId, limit: 200 }),
        api.chat.list.query({ projectId }),
      ])
      if (destroyed) return
      set({
        canComment: settings.canComment,
        viewerComments: settings.viewerComments,
        members: members.map((m) => ({ userId: m.userId, name: m.name })),
        comments: new Map(page.comments.map((c) => [c.id, c])),
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
    api.members.list
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
      const page = await api.chat.list.query({ projectId, before: oldest.seq })
      set({ chat: [...page.messages, ...state.chat], chatHasMore: page.hasMore })
    },
    seen(kind) {
      set(kind === 'comments' ? { newMentions: 0 } : { newChat: 0 })
      api.discussion.markRead.mutate({ projectId }).catch(() => {})
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
