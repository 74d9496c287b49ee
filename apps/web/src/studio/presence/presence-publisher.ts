import type { Awareness } from 'y-protocols/awareness'
import type { ViewStore } from '../view/view-store'
import { EMPTY_PRESENCE, type ViewPresence } from './view-presence'

/**
 * Publishes this tab's view into awareness: selection, open clip and zoom whenever the view store changes,
 * pointer positions at most once per animation frame (awareness messages go to every bandmate).
 */
export interface PresencePublisher {
  pointer(patch: Pick<Partial<ViewPresence>, 'arrangementTick' | 'pointerTrackId' | 'editorCursor'>): void
  destroy(): void
}

export function createPresencePublisher(awareness: Awareness, view: ViewStore): PresencePublisher {
  let current: ViewPresence = EMPTY_PRESENCE
  let frame = 0
  const flush = () => {
    frame = 0
    awareness.setLocalStateField('view', current)
  }
  const schedule = () => {
    if (frame === 0) frame = requestAnimationFrame(flush)
  }
  const fromView = () => {
    const s = view.get()
    const sel = s.selection
    current = {
      ...current,
      trackId: s.editor?.trackId ?? s.selectedTrackId,
      editorClipId: s.editor?.clipId ?? null,
      editorMode: s.editorMode,
      clipIds: sel.kind === 'clips' ? sel.clips.map((c) => c.clipId) : [],
      noteIds: sel.kind === 'notes' ? sel.noteIds : [],
      pxPerQuarter: s.pxPerQuarter,
      roll: s.roll,
    }
    schedule()
  }
  fromView()
  const unsubscribe = view.subscribe(fromView)
  return {
    pointer(patch) {
      current = { ...current, ...patch }
      schedule()
    },
    destroy() {
      unsubscribe()
      if (frame) cancelAnimationFrame(frame)
    },
  }
}
