'use client'

import { readTrack } from '@ensemble/core'
import { useEffect } from 'react'
import { useStudio } from '../studio-context'
import { readRemoteViews } from './remote-views'

/**
 * While following a collaborator, mirror their view: the clip they have open, its editor, their zoom and
 * scroll, the track they are on. Their selection stays theirs (it is drawn in their colour, not selected
 * here). Following stops when they leave the room.
 */
export function useFollow(): void {
  const studio = useStudio()
  useEffect(() => {
    const awareness = studio.session.connection.provider.awareness
    const apply = () => {
      const following = studio.view.get().following
      if (following === null) return
      const them = readRemoteViews(awareness).find((r) => r.clientId === following)
      if (!them) {
        studio.view.set({ following: null })
        return
      }
      const editor =
        them.editorClipId && them.trackId && readTrack(studio.session.doc, them.trackId)
          ? { trackId: them.trackId, clipId: them.editorClipId }
          : null
      const current = studio.view.get()
      const sameEditor =
        current.editor?.clipId === editor?.clipId && current.editor?.trackId === editor?.trackId
      studio.view.set({
        editor: sameEditor ? current.editor : editor,
        editorMode: them.editorMode,
        selectedTrackId: them.trackId,
        pxPerQuarter: them.pxPerQuarter,
        roll: them.roll,
      })
    }
    awareness.on('change', apply)
    let following = studio.view.get().following
    const off = studio.view.subscribe(() => {
      // Starting to follow someone applies their view at once rather than at their next move.
      const now = studio.view.get().following
      if (now === following) return
      following = now
      if (now !== null) apply()
    })
    return () => {
      awareness.off('change', apply)
      off()
    }
  }, [studio])
}
