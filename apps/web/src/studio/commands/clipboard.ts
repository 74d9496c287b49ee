import type { AudioClip, ClipSnapshot, Note } from '@ensemble/core'

/** A copied clip with its offset from the earliest copied clip and its source track. */
export type CopiedClip =
  | { readonly kind: 'midi'; readonly trackId: string; readonly offset: number; readonly clip: ClipSnapshot }
  /** An audio clip: its asset (by hash: the audio is never copied), span, gain and fades. */
  | { readonly kind: 'audio'; readonly trackId: string; readonly offset: number; readonly clip: AudioClip }

/**
 * Copied material, kept in this tab (not the song): notes relative to the earliest copied start, or whole
 * clips, MIDI and audio.
 */
export type ClipboardContent =
  | { readonly kind: 'notes'; readonly notes: readonly Omit<Note, 'id'>[] }
  | { readonly kind: 'clips'; readonly clips: readonly CopiedClip[] }

export interface Clipboard {
  content: ClipboardContent | null
}

export const createClipboard = (): Clipboard => ({ content: null })
