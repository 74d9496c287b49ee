'use client'

import { type NextAction, PPQ } from '@ensemble/core'
import { useSyncExternalStore } from 'react'

/**
 * What this tab is looking at and has selected: UI state, never song state. The song stays in the Y.Doc;
 * this holds ids that point into it (a selected note that a bandmate deletes simply stops matching).
 */
export type Selection =
  | { readonly kind: 'none' }
  | { readonly kind: 'clips'; readonly clips: readonly { trackId: string; clipId: string }[] }
  | {
      readonly kind: 'notes'
      readonly trackId: string
      readonly clipId: string
      readonly noteIds: readonly string[]
    }

export type EditorTool = 'draw' | 'select' | 'velocity'

export interface EditorTarget {
  readonly trackId: string
  readonly clipId: string
}

export interface ViewState {
  /** Arrangement zoom. */
  readonly pxPerQuarter: number
  /** Snap step in ticks for the arrangement and the editors; 0 turns snapping off. */
  readonly snap: number
  readonly selectedTrackId: string | null
  readonly editor: EditorTarget | null
  /** Which editor the open clip shows: drum tracks offer both the step grid and the piano roll. */
  readonly editorMode: 'piano' | 'drums'
  readonly tool: EditorTool
  readonly selection: Selection
  /** Piano roll zoom and scroll (ticks from the clip start, top pitch). */
  readonly roll: { readonly pxPerQuarter: number; readonly scrollTick: number; readonly topPitch: number }
  /** The collaborator whose view this tab mirrors, by awareness client id. */
  readonly following: number | null
  readonly helpOpen: boolean
  readonly loop: { readonly enabled: boolean; readonly start: number; readonly end: number }
  readonly metronome: boolean
  readonly mixerOpen: boolean
  /** This listener's monitoring level; not song state. */
  readonly masterDb: number
  /** The track whose AI panel is open, if any. */
  readonly aiTrackId: string | null
  /** Whose effects chain is open beside the arrangement: a track id, a bus id, MASTER, or none. */
  readonly chainOwner: string | null
  /** The conversation panel open beside the arrangement, if any. */
  readonly discussion: 'comments' | 'chat' | null
  /** The comment thread a marker click asked the comments panel to show. */
  readonly commentFocus: string | null
  /**
   * The proposal this tab looks at (its ghost notes, what Accept and Dismiss act on) and which of its
   * variations. Proposals are shared; which one a person looks at is not.
   */
  readonly aiFocus: { readonly proposalId: string; readonly variation: number } | null
  /**
   * A "what next" step the AI panel of `aiTrackId` should set itself up for (which tool, which bars); the
   * panel clears it once it has.
   */
  readonly aiIntent: {
    readonly action: NextAction
    readonly fromTick: number
    readonly toTick: number
  } | null
  /** The automation lanes shown under each track, by track id: lane keys (core's `laneKey`), top first. */
  readonly automationLanes: Readonly<Record<string, readonly string[]>>
  /** The automation points selected in one lane (a lane's selection, like notes in one clip). */
  readonly automationSelection: { readonly laneKey: string; readonly pointIds: readonly string[] } | null
}

export const INITIAL_VIEW: ViewState = {
  pxPerQuarter: 28,
  snap: PPQ,
  selectedTrackId: null,
  editor: null,
  editorMode: 'piano',
  tool: 'draw',
  selection: { kind: 'none' },
  roll: { pxPerQuarter: 80, scrollTick: 0, topPitch: 84 },
  following: null,
  helpOpen: false,
  loop: { enabled: false, start: 0, end: PPQ * 16 },
  metronome: false,
  mixerOpen: false,
  masterDb: 0,
  aiTrackId: null,
  chainOwner: null,
  discussion: null,
  commentFocus: null,
  aiFocus: null,
  aiIntent: null,
  automationLanes: {},
  automationSelection: null,
}

export interface ViewStore {
  get(): ViewState
  set(patch: Partial<ViewState> | ((s: ViewState) => Partial<ViewState>)): void
  subscribe(listener: () => void): () => void
}

export function createViewStore(initial: ViewState = INITIAL_VIEW): ViewStore {
  let state = initial
  const listeners = new Set<() => void>()
  return {
    get: () => state,
    set(patch) {
      const next = typeof patch === 'function' ? patch(state) : patch
      state = { ...state, ...next }
      for (const l of [...listeners]) l()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** Reads one field of the view; the selector should return a value that stays identical while unchanged. */
export function useView<T>(store: ViewStore, selector: (s: ViewState) => T): T {
  const get = () => selector(store.get())
  return useSyncExternalStore(store.subscribe, get, get)
}

export const NO_SELECTION: Selection = { kind: 'none' }

export function selectedNoteIds(view: ViewState, target: EditorTarget | null): readonly string[] {
  const s = view.selection
  if (!target || s.kind !== 'notes' || s.clipId !== target.clipId) return []
  return s.noteIds
}
