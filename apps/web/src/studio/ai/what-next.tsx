'use client'

import { deepEqual, type NextStep, nextSteps, readSong } from '@ensemble/core'
import { Lightbulb } from 'lucide-react'
import type * as Y from 'yjs'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import './ai.css'

const stepsOf = (doc: Y.Doc): NextStep[] => nextSteps(readSong(doc))

/**
 * "What next": a short list of things to try for the song as it stands (core next-steps.ts), each one click
 * away: it opens the AI panel on the step's track with the tool and the bars chosen, ready to ask. Editors
 * only, since only they can ask; the list follows the song as anyone edits it.
 */
export function WhatNext() {
  const studio = useStudio()
  const { session } = studio
  const steps = useSong(session.doc, stepsOf, [], deepEqual)
  if (session.role === 'viewer' || steps.length === 0) return null
  return (
    <nav className="st-what-next" aria-label="What next">
      <Lightbulb size={14} aria-hidden /> <span className="st-muted st-small">Try next:</span>
      {steps.map((step) => (
        <button
          key={step.id}
          type="button"
          title={step.why}
          onClick={() =>
            studio.view.set({
              aiTrackId: step.trackId,
              selectedTrackId: step.trackId,
              aiIntent: { action: step.action, fromTick: step.fromTick, toTick: step.toTick },
            })
          }
        >
          {step.title}
        </button>
      ))}
    </nav>
  )
}
