'use client'

import { createProposalStore, type Proposal } from '@ensemble/core'
import { useMemo, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'

/** The song's open AI proposals (shared with the room), oldest first; re-renders when any changes. */
export function useProposals(doc: Y.Doc): readonly Proposal[] {
  const store = useMemo(() => createProposalStore(doc), [doc])
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
}
