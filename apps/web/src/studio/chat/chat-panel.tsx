'use client'

import '../comments/discussion.css'
import { MessagesSquare } from 'lucide-react'
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { api } from '../../client/api/client'
import { discussionLimits } from '../../discussion/limits'
import { relativeTime } from '../../text/relative-time'
import { useJumpToSeconds } from '../comments/comments-panel'
import { useDiscussion, useDiscussionStore } from '../comments/discussion-store'
import { MentionInput } from '../comments/mention-input'
import { DiscussionPanelHead } from '../comments/panel-head'
import { RichText } from '../comments/rich-text'
import { useStudio } from '../studio-context'

/** How long after the last keystroke this tab still says it is typing. */
const TYPING_MS = 3000

/**
 * The song's chat: history (older pages on demand), live lines from the collab connection, who is here and
 * who is typing (both from awareness, whose user the server verifies), and "at 1:32" links into the song.
 */
export function ChatPanel() {
  const studio = useStudio()
  const { session } = studio
  const store = useDiscussionStore()
  const discussion = useDiscussion()
  const jump = useJumpToSeconds()
  const typing = useTyping()
  const [draft, setDraft] = useState('')
  const bottom = useRef<HTMLDivElement>(null)
  const awareness = session.connection.provider.awareness
  const stopTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)

  // biome-ignore lint/correctness/useExhaustiveDependencies: mark read at every new line while open
  useEffect(() => store.seen('chat'), [discussion.chat.length])
  // biome-ignore lint/correctness/useExhaustiveDependencies: follow new lines
  useEffect(() => bottom.current?.scrollIntoView({ block: 'end' }), [discussion.chat.at(-1)?.id])
  useEffect(
    () => () => {
      clearTimeout(stopTimer.current)
      awareness.setLocalStateField('typing', false)
    },
    [awareness],
  )

  const onTyping = () => {
    awareness.setLocalStateField('typing', true)
    clearTimeout(stopTimer.current)
    stopTimer.current = setTimeout(() => awareness.setLocalStateField('typing', false), TYPING_MS)
  }
  const send = () => {
    const body = draft.trim()
    if (body === '') return
    clearTimeout(stopTimer.current)
    awareness.setLocalStateField('typing', false)
    api.chat.post
      .mutate({ projectId: session.projectId, body })
      .then(() => setDraft(''))
      .catch(studio.report)
  }

  return (
    <aside className="st-ai st-discussion" aria-label="Chat" data-testid="chat-panel">
      <DiscussionPanelHead icon={MessagesSquare} title="Chat" />
      <div className="st-chat-log" aria-live="polite">
        {discussion.chatHasMore && (
          <button
            type="button"
            className="st-small"
            onClick={() => store.loadOlderChat().catch(studio.report)}
          >
            Earlier messages
          </button>
        )}
        {discussion.chat.map((m) => (
          <div key={m.id} className="st-chat-line" data-testid="chat-line">
            <span className="st-comment-head">
              <strong>{m.authorName ?? 'someone'}</strong>
              <span className="st-muted st-small">{relativeTime(m.createdAt)}</span>
            </span>
            <RichText text={m.body} onTime={jump} />
          </div>
        ))}
        <div ref={bottom} />
      </div>
      <p className="st-muted st-small st-typing" data-testid="typing">
        {typing.length === 0
          ? '\u00a0'
          : `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`}
      </p>
      {discussion.canComment ? (
        <MentionInput
          value={draft}
          onChange={setDraft}
          onSubmit={send}
          onTyping={onTyping}
          maxLength={discussionLimits.chatChars}
          label="Message"
          testId="chat-input"
          placeholder="Message the band… (at 1:32 links to the song)"
        />
      ) : (
        <p className="st-muted st-small">The owner has turned off chat from viewers.</p>
      )}
    </aside>
  )
}

/** Names of the others whose awareness says they are typing. */
function useTyping(): readonly string[] {
  const { session } = useStudio()
  const awareness = session.connection.provider.awareness
  const store = useMemo(() => {
    let last: readonly string[] = []
    const read = () => {
      const names: string[] = []
      for (const [clientId, state] of awareness.getStates()) {
        if (clientId === awareness.clientID) continue
        const s = state as { typing?: unknown; user?: { name?: unknown } }
        if (s.typing === true && typeof s.user?.name === 'string') names.push(s.user.name)
      }
      if (names.join('\n') !== last.join('\n')) last = names
      return last
    }
    return {
      subscribe: (l: () => void) => {
        awareness.on('change', l)
        return () => awareness.off('change', l)
      },
      read,
    }
  }, [awareness])
  return useSyncExternalStore(store.subscribe, store.read, store.read)
}
