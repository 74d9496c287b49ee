'use client'

import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'

/** "FX" on a channel strip: opens (or closes) that strip's effects chain beside the arrangement. */
export function ChainButton({ owner, name }: { owner: string; name: string }) {
  const studio = useStudio()
  const open = useView(studio.view, (s) => s.chainOwner === owner)
  return (
    <button
      type="button"
      className={`st-toggle${open ? ' on' : ''}`}
      aria-label={`Effects chain of ${name}`}
      aria-pressed={open}
      title="Effects chain"
      onClick={() => studio.view.set({ chainOwner: open ? null : owner })}
    >
      FX
    </button>
  )
}
