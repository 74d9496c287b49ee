'use client'

import {
  addNote,
  deleteNotes,
  type Note,
  PPQ,
  readClip,
  readMeta,
  SIXTEENTH,
  setNoteVelocities,
  ticksPerBar,
} from '@ensemble/core'
import { proposalLabel, shownProposal, variationNotes } from '../ai/ghost-notes'
import { useProposals } from '../ai/use-proposals'
import { useSong } from '../session/hooks'
import { colourFor } from '../session/song-session'
import { useStudio } from '../studio-context'
import { type EditorTarget, useView } from '../view/view-store'
import { DRUM_ROWS, extraDrumRows } from './drum-rows'
import './drum-grid.css'

/** Velocity levels a Shift-click cycles through: ghost, normal, accent. */
const LEVELS = [50, 96, 127] as const

/**
 * The step sequencer for a drums track: a row per GM drum, 16 steps per bar of 4/4 (a sixteenth each).
 * A click toggles a hit; Shift-click on a hit cycles its velocity. A hit is a note starting inside the step,
 * so notes drawn off-grid in the piano roll still light their step.
 */
export function DrumGrid({ target }: { target: EditorTarget }) {
  const studio = useStudio()
  const { doc, me } = studio.session
  const clip = useSong(doc, (d) => readClip(d, target.trackId, target.clipId), [
    target.trackId,
    target.clipId,
  ])
  const ts = useSong(doc, (d) => readMeta(d).timeSignature)
  const proposals = useProposals(doc)
  const aiFocus = useView(studio.view, (s) => s.aiFocus)
  if (!clip) return <p className="st-empty">This clip was deleted.</p>
  const step = SIXTEENTH
  const barTicks = ticksPerBar(ts)
  const steps = Math.max(1, Math.floor(clip.length / step))
  const byCell = new Map<string, Note>()
  for (const n of clip.notes) byCell.set(`${n.pitch}:${Math.floor(n.start / step)}`, n)
  const readOnly = studio.session.role === 'viewer'
  // A proposal for this track lights its steps as ghosts in the requester's colour.
  const shown = shownProposal(proposals, target.trackId, aiFocus)
  const proposed = shown
    ? variationNotes(shown.proposal, shown.variation, clip.start).filter((n) => n.start >= 0)
    : []
  const ghosts = new Set(proposed.map((n) => `${n.pitch}:${Math.floor(n.start / step)}`))
  // A proposed hit on a drum outside the usual rows (a low tom, say) gets its row now, not only once accepted.
  const rows = [...extraDrumRows([...clip.notes, ...proposed].map((n) => n.pitch)), ...DRUM_ROWS]

  const toggle = (pitch: number, index: number, cycle: boolean) => {
    const hit = byCell.get(`${pitch}:${index}`)
    studio.run(() => {
      if (hit && cycle) {
        const next = LEVELS.find((l) => l > hit.velocity) ?? LEVELS[0]
        setNoteVelocities(doc, me, target.trackId, target.clipId, [hit.id], next)
      } else if (hit) deleteNotes(doc, me, target.trackId, target.clipId, [hit.id])
      else {
        addNote(doc, me, target.trackId, target.clipId, {
          pitch,
          start: index * step,
          duration: step,
          velocity: LEVELS[1],
        })
        studio.audition(target.trackId, pitch, LEVELS[1])
      }
    })
  }

  return (
    <div className="st-drums" data-testid="drum-grid" style={{ ['--steps' as string]: steps }}>
      {shown && ghosts.size > 0 && (
        <p
          className="st-drum-proposal"
          data-testid="drum-proposal"
          style={{ ['--who' as string]: colourFor(shown.proposal.run.requestedBy) }}
        >
          ✦ {proposalLabel(shown.proposal, shown.variation)}
        </p>
      )}
      {rows.map((row) => (
        <div key={row.pitch} className="st-drum-row" data-pitch={row.pitch}>
          <button
            type="button"
            className="st-drum-name"
            title={`${row.name} (note ${row.pitch}): click to hear`}
            onClick={() => studio.audition(target.trackId, row.pitch, 110)}
          >
            {row.short}
          </button>
          <div className="st-drum-steps">
            {Array.from({ length: steps }, (_, i) => {
              const hit = byCell.get(`${row.pitch}:${i}`)
              const ghost = ghosts.has(`${row.pitch}:${i}`)
              const beat = ((i * step) % barTicks) % PPQ === 0
              const barStart = (i * step) % barTicks === 0
              return (
                <button
                  // biome-ignore lint/suspicious/noArrayIndexKey: a step is its index
                  key={i}
                  type="button"
                  data-testid="drum-step"
                  data-step={i}
                  data-on={hit ? 'true' : 'false'}
                  data-ghost={ghost ? 'true' : undefined}
                  data-ai={hit?.provenance ? 'true' : undefined}
                  aria-pressed={Boolean(hit)}
                  aria-label={`${row.short} step ${i + 1}`}
                  disabled={readOnly}
                  className={`st-step${beat ? ' beat' : ''}${barStart ? ' bar' : ''}${hit ? ' on' : ''}${ghost ? ' ghost' : ''}${hit?.provenance ? ' ai' : ''}`}
                  style={
                    ghost && shown
                      ? { ['--who' as string]: colourFor(shown.proposal.run.requestedBy) }
                      : undefined
                  }
                  title={
                    hit
                      ? `velocity ${hit.velocity} (Shift-click to change)${hit.provenance ? ' · made by AI' : ''}`
                      : ghost
                        ? 'suggested'
                        : undefined
                  }
                  onClick={(e) => toggle(row.pitch, i, e.shiftKey)}
                >
                  {hit && <span style={{ height: `${Math.round((hit.velocity / 127) * 100)}%` }} />}
                </button>
              )
            })}
          </div>
        </div>
      ))}
    </div>
  )
}
