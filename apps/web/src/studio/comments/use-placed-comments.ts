'use client'

import { type AnchorPosition, readSong } from '@ensemble/core'
import { useMemo, useRef } from 'react'
import type { CommentView } from '../../discussion/events'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { placeComments } from './anchor-place'
import { useDiscussion } from './discussion-store'

export interface PlacedThread {
  readonly comment: CommentView
  readonly position: AnchorPosition
}

/** Every thread's first comment with where its anchor is in the live song now (newest first). */
export function usePlacedThreads(): readonly PlacedThread[] {
  const { session } = useStudio()
  const song = useSong(session.doc, readSong)
  const { comments } = useDiscussion()
  const memory = useRef(new Map<string, AnchorPosition>())
  return useMemo(() => {
    const roots = [...comments.values()].filter((c) => c.parentId === null)
    const positions = placeComments(song, roots, memory.current)
    return roots
      .flatMap((comment) => {
        const position = positions.get(comment.id)
        return position === undefined ? [] : [{ comment, position }]
      })
      .sort((a, b) => b.comment.createdAt.localeCompare(a.comment.createdAt))
  }, [song, comments])
}
