'use client'

import { readClip } from '@ensemble/core'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { type EditorTarget, selectedNoteIds, useView } from '../view/view-store'
import { useMemberNames } from './member-names'
import { describeProvenance } from './provenance'
import './ai.css'

/**
 * The note inspector for AI-made notes: when the selection holds notes a plugin wrote, which plugin and
 * version, which model (short hash), which seed, who asked and who accepted. Notes of several runs list
 * the first run and say how many there are.
 */
export function NoteProvenance({ target }: { target: EditorTarget }) {
  const studio = useStudio()
  const nameOf = useMemberNames(studio.session)
  const clip = useSong(studio.session.doc, (d) => readClip(d, target.trackId, target.clipId), [
    target.trackId,
    target.clipId,
  ])
  const selection = useView(studio.view, (s) => s.selection)
  const chosen = new Set(selectedNoteIds({ ...studio.view.get(), selection }, target))
  const made = clip?.notes.filter((n) => chosen.has(n.id) && n.provenance !== undefined) ?? []
  const first = made[0]?.provenance
  if (!first) return null
  const runs = new Set(
    made.map((n) => n.provenance?.runId ?? `${n.provenance?.pluginId}/${n.provenance?.seed}`),
  )
  return (
    <div className="st-provenance" data-testid="note-provenance" role="note" aria-label="Note provenance">
      <strong>
        <span aria-hidden>✦</span> {made.length === 1 ? 'Made by AI' : `${made.length} notes made by AI`}
        {runs.size > 1 ? ` (${runs.size} runs; the first:)` : ''}
      </strong>
      {describeProvenance(first, nameOf).map((line) => (
        <span key={line}>{line}</span>
      ))}
    </div>
  )
}
