'use client'

import { readClip, readMeta, readTrack, renameClip, resizeClip, ticksPerBar } from '@ensemble/core'
import {
  ChartNoAxesColumn,
  Grid3x3,
  Magnet,
  MousePointer2,
  Pencil,
  Piano,
  Repeat,
  Sparkles,
  X,
} from 'lucide-react'
import { countOf } from '../../text/plural'
import { NoteProvenance } from '../ai/note-provenance'
import { CommandButton } from '../commands/command-button'
import { IconButton } from '../components/icon-button'
import { DrumGrid } from '../drums/drum-grid'
import { PianoRoll } from '../piano-roll/piano-roll'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { type EditorTarget, useView } from '../view/view-store'
import { barsAndBeats } from './clip-length'
import './clip-editor.css'

/** The bottom panel for the open clip: its toolbar and the piano roll or, for drums, the step grid. */
export function ClipEditor({ target }: { target: EditorTarget }) {
  const studio = useStudio()
  const { doc, me } = studio.session
  const clip = useSong(doc, (d) => readClip(d, target.trackId, target.clipId), [
    target.trackId,
    target.clipId,
  ])
  const track = useSong(doc, (d) => readTrack(d, target.trackId), [target.trackId])
  const ts = useSong(doc, (d) => readMeta(d).timeSignature)
  const bar = ticksPerBar(ts)
  const tool = useView(studio.view, (s) => s.tool)
  const mode = useView(studio.view, (s) => s.editorMode)
  if (!clip || !track) {
    return (
      <section className="st-editor" aria-label="Clip editor">
        <p className="st-empty">
          This clip is gone (a bandmate may have deleted it).{' '}
          <button type="button" onClick={() => studio.view.set({ editor: null })}>
            Close
          </button>
        </p>
      </section>
    )
  }
  const drums = track.kind === 'drums'
  const showGrid = drums && mode === 'drums'
  return (
    <section className="st-editor" aria-label="Clip editor" style={{ ['--track' as string]: track.colour }}>
      <div className="st-editor-bar">
        <span className="st-editor-title">
          <span className="st-dot" />
          {track.name}
        </span>
        <input
          aria-label="Clip name"
          className="st-clip-name"
          placeholder="clip name"
          defaultValue={clip.name}
          key={clip.name}
          onBlur={(e) =>
            e.target.value !== clip.name &&
            studio.run(() => renameClip(doc, me, target.trackId, clip.id, e.target.value))
          }
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
        {drums && (
          <fieldset className="st-seg" aria-label="Editor">
            <button
              type="button"
              aria-label="Steps"
              title="Step grid"
              className={`st-icon-button${showGrid ? ' is-on' : ''}`}
              onClick={() => studio.view.set({ editorMode: 'drums' })}
            >
              <Grid3x3 size={15} aria-hidden />
            </button>
            <button
              type="button"
              aria-label="Piano roll"
              title="Piano roll"
              className={`st-icon-button${!showGrid ? ' is-on' : ''}`}
              onClick={() => studio.view.set({ editorMode: 'piano' })}
            >
              <Piano size={15} aria-hidden />
            </button>
          </fieldset>
        )}
        {!showGrid && (
          <fieldset className="st-seg" aria-label="Tool">
            <CommandButton id="tool-draw" icon={Pencil} pressed={tool === 'draw'} />
            <CommandButton id="tool-select" icon={MousePointer2} pressed={tool === 'select'} />
            <CommandButton id="tool-velocity" icon={ChartNoAxesColumn} pressed={tool === 'velocity'} />
          </fieldset>
        )}
        <CommandButton id="quantize" icon={Magnet} />
        <fieldset className="st-seg" aria-label="Transpose">
          <CommandButton id="transpose-down">−1</CommandButton>
          <CommandButton id="transpose-up">+1</CommandButton>
          <CommandButton id="transpose-octave-up">+12</CommandButton>
        </fieldset>
        <select
          aria-label="Clip length in bars"
          title="Clip length"
          value={String(clip.length / bar)}
          onChange={(e) =>
            studio.run(() =>
              resizeClip(doc, me, target.trackId, clip.id, {
                length: Math.round(Number(e.target.value) * bar),
              }),
            )
          }
        >
          {[...new Set([1, 2, 4, 8, 16, clip.length / bar])]
            .sort((a, b) => a - b)
            .map((b) => (
              <option key={b} value={String(b)}>
                {barsAndBeats(b * bar, ts)}
              </option>
            ))}
        </select>
        <button
          type="button"
          aria-pressed={clip.loopLength !== null}
          aria-label="Loop clip"
          className={`st-icon-button${clip.loopLength !== null ? ' is-on' : ''}`}
          title="Loop the clip: its first loop's notes repeat to the clip's end"
          onClick={() =>
            studio.run(() =>
              resizeClip(doc, me, target.trackId, clip.id, {
                loopLength: clip.loopLength === null ? clip.length : null,
              }),
            )
          }
        >
          <Repeat size={15} aria-hidden />
        </button>
        <CommandButton id="ai-panel" icon={Sparkles}>
          AI
        </CommandButton>
        <span className="st-grow" />
        <span className="st-muted st-small st-nowrap" data-testid="note-count">
          {countOf(clip.notes.length, 'note')}
        </span>
        <IconButton
          icon={X}
          size={15}
          label="Close editor"
          onClick={() => studio.view.set({ editor: null, selection: { kind: 'none' } })}
        />
      </div>
      <NoteProvenance target={target} />
      {showGrid ? <DrumGrid target={target} /> : <PianoRoll target={target} drums={drums} />}
    </section>
  )
}
