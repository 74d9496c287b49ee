'use client'

import type { SaveStatus } from '../../client/collab'

const LABEL: Record<SaveStatus, string> = { saved: 'Saved', saving: 'Saving…', offline: 'Offline' }
const COLOUR: Record<SaveStatus, string> = {
  saved: 'var(--accent)',
  saving: 'var(--warn)',
  offline: 'var(--danger)',
}

/** Driven by the server's durable "saved" acknowledgements, not by the socket merely being open. */
export function SaveIndicator({ status }: { status: SaveStatus }) {
  return (
    <output
      aria-live="polite"
      data-testid="save-status"
      data-status={status}
      style={{ color: COLOUR[status] }}
    >
      <span aria-hidden style={{ marginRight: 6 }}>
        ●
      </span>
      {LABEL[status]}
    </output>
  )
}
