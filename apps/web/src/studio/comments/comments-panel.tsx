'use client'

import './discussion.css'
import { PPQ, readMeta, readSong, ticksPerBar } from '@ensemble/core'
import { Check, MessageSquare, Pencil, RotateCcw, Trash2 } from 'lucide-react'
import { useEffect, useState } from 'react'
import { api } from '../../client/api/client'
import type { CommentView } from '../../discussion/events'
import { discussionLimits } from '../../discussion/limits'
import { relativeTime } from '../../text/relative-time'
import { IconButton } from '../components/icon-button'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { anchorFromView, barLabel, lossText } from './anchor-place'
import { useDiscussion, useDiscussionStore } from './discussion-store'
import { MentionInput } from './mention-input'
import { DiscussionPanelHead } from './panel-head'
import { RichText } from './rich-text'
import { type PlacedThread, usePlacedThreads } from './use-placed-comments'

/** Reactions offered on every comment. */
const REACTIONS = ['👍', '🔥', '❤️', '🤔'] as const

/** "at 1:32" in a comment: jump the playhead there (seconds at the song's tempo). */
export function useJumpToSeconds(): (seconds: number) => void {
  const studio = useStudio()
  return (seconds) =>
    studio.transport.seek(Math.round((seconds * readMeta(studio.session.doc).bpm * PPQ) / 60))
}

/**
 * The comments panel: a composer for the selection (or loop, or the bar under the playhead), the threads
 * filtered by open / resolved, track and author, each with its replies, reactions, resolve and edit/delete.
 */
export function CommentsPanel() {
  const studio = useStudio()
  const { session } = studio
  const store = useDiscussionStore()
  const discussion = useDiscussion()
  const threads = usePlacedThreads()
  const song = useSong(session.doc, readSong)
  const bar = ticksPerBar(song.meta.timeSignature)
  const focus = useView(studio.view, (s) => s.commentFocus)
  const [status, setStatus] = useState<'open' | 'resolved' | 'all'>('open')
  const [trackId, setTrackId] = useState('')
  const [authorId, setAuthorId] = useState('')
  const [draft, setDraft] = useState('')
  const [busy, setBusy] = useState(false)
  const [loadingOlder, setLoadingOlder] = useState(false)

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per opening
  useEffect(() => store.seen('comments'), [])
  useEffect(() => {
    if (focus === null) return
    setStatus('all')
    document.querySelector(`[data-thread="${focus}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [focus])

  const post = () => {
    const body = draft.trim()
    if (body === '' || busy) return
    const anchor = anchorFromView(song, studio.view.get(), studio.transport.position(), bar)
    setBusy(true)
    api.comments.post
      .mutate({ projectId: session.projectId, body, anchor })
      .then(() => setDraft(''))
      .catch(studio.report)
      .finally(() => setBusy(false))
  }

  const shown = threads.filter(
    (t) =>
      (status === 'all' || (status === 'open') === (t.comment.resolvedAt === null)) &&
      // Where the comment is now: a clip moved to another track took it along.
      (trackId === '' || t.position.trackId === trackId) &&
      (authorId === '' || t.comment.authorId === authorId),
  )
  const authors = discussion.members

  return (
    <aside className="st-ai st-discussion" aria-label="Comments" data-testid="comments-panel">
      <DiscussionPanelHead icon={MessageSquare} title="Comments" />
      {discussion.canComment ? (
        <div className="st-compose">
          <MentionInput
            value={draft}
            onChange={setDraft}
            onSubmit={post}
            maxLength={discussionLimits.commentChars}
            label="New comment"
            testId="comment-input"
            placeholder="Comment on the selection, the loop or this bar… @ to mention"
          />
          <button type="button" className="primary" disabled={busy || draft.trim() === ''} onClick={post}>
            Comment
          </button>
        </div>
      ) : (
        <p className="st-muted st-small">The owner has turned off comments from viewers.</p>
      )}
      <div className="st-filters">
        <select aria-label="Show" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          <option value="open">Open</option>
          <option value="resolved">Resolved</option>
          <option value="all">All</option>
        </select>
        <select aria-label="Track" value={trackId} onChange={(e) => setTrackId(e.target.value)}>
          <option value="">All tracks</option>
          {song.tracks.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <select aria-label="Author" value={authorId} onChange={(e) => setAuthorId(e.target.value)}>
          <option value="">Everyone</option>
          {authors.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name}
            </option>
          ))}
        </select>
      </div>
      {shown.length === 0 && <p className="st-muted st-small">No comments here yet.</p>}
      {shown.map((t) => (
        <Thread key={t.comment.id} thread={t} bar={bar} focused={t.comment.id === focus} />
      ))}
      {discussion.olderThreads && (
        <button
          type="button"
          className="st-small"
          data-testid="older-threads"
          disabled={loadingOlder}
          onClick={() => {
            setLoadingOlder(true)
            store
              .loadOlderThreads()
              .catch(studio.report)
              .finally(() => setLoadingOlder(false))
          }}
        >
          Older threads
        </button>
      )}
    </aside>
  )
}

function Thread({ thread, bar, focused }: { thread: PlacedThread; bar: number; focused: boolean }) {
  const studio = useStudio()
  const { session } = studio
  const discussion = useDiscussion()
  const song = useSong(session.doc, readSong)
  const { comment, position } = thread
  const replies = [...discussion.comments.values()]
    .filter((c) => c.parentId === comment.id)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  const [reply, setReply] = useState('')
  const track = song.tracks.find((t) => t.id === position.trackId)
  const where = `${barLabel(position, bar)}${track ? ` · ${track.name}` : ''}`
  const resolved = comment.resolvedAt !== null

  const send = () => {
    const body = reply.trim()
    if (body === '') return
    api.comments.reply
      .mutate({ projectId: session.projectId, parentId: comment.id, body })
      .then(() => setReply(''))
      .catch(studio.report)
  }

  return (
    <article
      className={`st-thread${focused ? ' focused' : ''}${resolved ? ' resolved' : ''}`}
      data-thread={comment.id}
      data-testid="comment-thread"
    >
      <button
        type="button"
        className="st-thread-where"
        onClick={() => studio.transport.seek(position.start)}
        title="Play from here"
      >
        {position.lost === null ? where : `${lossText[position.lost]} (was at ${where})`}
      </button>
      <CommentBody comment={comment} />
      {replies.map((r) => (
        <CommentBody key={r.id} comment={r} reply />
      ))}
      {discussion.canComment && (
        <div className="st-thread-actions">
          <MentionInput
            value={reply}
            onChange={setReply}
            onSubmit={send}
            maxLength={discussionLimits.commentChars}
            label="Reply"
            testId="reply-input"
            placeholder="Reply…"
          />
          <IconButton
            icon={resolved ? RotateCcw : Check}
            size={14}
            label={resolved ? 'Reopen' : 'Resolve'}
            onClick={() =>
              api.comments.resolve
                .mutate({ projectId: session.projectId, commentId: comment.id, resolved: !resolved })
                .catch(studio.report)
            }
          />
        </div>
      )}
    </article>
  )
}

function CommentBody({ comment, reply = false }: { comment: CommentView; reply?: boolean }) {
  const studio = useStudio()
  const { session } = studio
  const discussion = useDiscussion()
  const jump = useJumpToSeconds()
  const me = session.me.userId
  const [editing, setEditing] = useState<string | null>(null)
  const mine = comment.authorId === me
  const act = (call: Promise<unknown>) => call.catch(studio.report)
  return (
    <div className={`st-comment${reply ? ' reply' : ''}`} data-testid="comment">
      <div className="st-comment-head">
        <strong>{comment.authorName ?? 'someone'}</strong>
        <span className="st-muted st-small" title={comment.createdAt}>
          {relativeTime(comment.createdAt)}
          {comment.editedAt && ' · edited'}
        </span>
        <span className="st-grow" />
        {mine && discussion.canComment && (
          <IconButton icon={Pencil} size={12} label="Edit" onClick={() => setEditing(comment.body)} />
        )}
        {(mine || session.role === 'owner') && (
          <IconButton
            icon={Trash2}
            size={12}
            label="Delete"
            onClick={() =>
              act(api.comments.delete.mutate({ projectId: session.projectId, commentId: comment.id }))
            }
          />
        )}
      </div>
      {editing === null ? (
        <RichText text={comment.body} onTime={jump} />
      ) : (
        <MentionInput
          value={editing}
          onChange={setEditing}
          maxLength={discussionLimits.commentChars}
          label="Edit comment"
          placeholder=""
          onSubmit={() =>
            act(
              api.comments.edit
                .mutate({ projectId: session.projectId, commentId: comment.id, body: editing })
                .then(() => setEditing(null)),
            )
          }
        />
      )}
      <div className="st-reactions">
        {REACTIONS.map((emoji) => {
          const who = comment.reactions.find((r) => r.emoji === emoji)?.userIds ?? []
          const on = who.includes(me)
          if (!discussion.canComment && who.length === 0) return null
          return (
            <button
              key={emoji}
              type="button"
              className={`st-reaction${on ? ' on' : ''}`}
              aria-pressed={on}
              disabled={!discussion.canComment}
              onClick={() =>
                act(
                  api.comments.react.mutate({
                    projectId: session.projectId,
                    commentId: comment.id,
                    emoji,
                    on: !on,
                  }),
                )
              }
            >
              {emoji}
              {who.length > 0 && ` ${who.length}`}
            </button>
          )
        })}
      </div>
    </div>
  )
}
