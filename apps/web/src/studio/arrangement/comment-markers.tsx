'use client'

import type { TrackSnapshot } from '@ensemble/core'
import { MessageSquare } from 'lucide-react'
import type { PointerEvent } from 'react'
import { usePlacedThreads } from '../comments/use-placed-comments'
import { useStudio } from '../studio-context'
import { type TimelineScale, tickToPx } from './timeline-scale'

/**
 * Comment threads as pins: on the ruler at their time, and on their track's lane when they name a track;
 * resolved threads stay, faded, so the conversation about a passage is still findable. A pin opens the
 * thread in the comments panel; it never starts a timeline gesture under it.
 */
function Pin({
  id,
  left,
  top,
  label,
  resolved,
  testId,
}: {
  testId: 'comment-marker' | 'ruler-comment-marker'
  id: string
  left: number
  top?: number
  label: string
  resolved: boolean
}) {
  const studio = useStudio()
  const stop = (e: PointerEvent) => e.stopPropagation()
  return (
    <button
      type="button"
      className={`st-comment-pin${resolved ? ' resolved' : ''}`}
      data-testid={testId}
      data-comment={id}
      style={{ left, ...(top === undefined ? {} : { top }) }}
      title={label}
      aria-label={`Comment: ${label}`}
      onPointerDown={stop}
      onPointerUp={stop}
      onClick={() => studio.view.set({ discussion: 'comments', commentFocus: id })}
    >
      <MessageSquare size={11} aria-hidden />
    </button>
  )
}

const preview = (body: string) => (body.length > 80 ? `${body.slice(0, 80)}…` : body)

export function RulerCommentMarkers({ scale }: { scale: TimelineScale }) {
  const threads = usePlacedThreads()
  return (
    <>
      {threads.map(({ comment, position }) => (
        <Pin
          key={comment.id}
          testId="ruler-comment-marker"
          id={comment.id}
          left={tickToPx(scale, position.start)}
          label={`${comment.authorName ?? 'someone'}: ${preview(comment.body)}`}
          resolved={comment.resolvedAt !== null}
        />
      ))}
    </>
  )
}

export function LaneCommentMarkers({
  scale,
  tracks,
  laneHeight,
  rowTops,
}: {
  scale: TimelineScale
  tracks: readonly TrackSnapshot[]
  laneHeight: number
  /** Where each track's row starts, when rows differ in height (automation lanes shown under some). */
  rowTops?: readonly number[]
}) {
  const threads = usePlacedThreads().filter((t) => t.position.trackId !== null && t.position.lost === null)
  return (
    <>
      {threads.map(({ comment, position }) => {
        const row = tracks.findIndex((t) => t.id === position.trackId)
        if (row < 0) return null
        return (
          <Pin
            key={comment.id}
            testId="comment-marker"
            id={comment.id}
            left={tickToPx(scale, position.start)}
            top={(rowTops?.[row] ?? row * laneHeight) + 2}
            label={`${comment.authorName ?? 'someone'}: ${preview(comment.body)}`}
            resolved={comment.resolvedAt !== null}
          />
        )
      })}
    </>
  )
}
