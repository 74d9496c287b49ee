import type { ClipSnapshot, Note } from '@ensemble/core'

/**
 * Copied material, kept in this tab (not the song): notes relative to the earliest copied start, or whole
 * clips with their offset from the earliest clip and their source track.
 */
export type ClipboardContent =
  | { readonly kind: 'notes'; readonly notes: readonly Omit<Note, 'id'>[] }
  | {
      readonly kind: 'clips'
      readonly clips: readonly {
        readonly trackId: string
        readonly offset: number
        readonly clip: ClipSnapshot
      }[]
    }

export interface Clipboard {
  content: ClipboardContent | null
}

export const createClipboard = (): Clipboard => ({ content: null })
