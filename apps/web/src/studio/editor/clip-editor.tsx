'use client'

import { PPQ, readClip, readMeta, readTrack, renameClip, resizeClip } from '@ensemble/core'
import { NoteProvenance } from '../ai/note-provenance'
import { runCommand } from '../commands/command-keys'
import { formatShortcut } from '../commands/shortcut'
import { commandById } from '../commands/studio-commands'
import { DrumGrid } from '../drums/drum-grid'
import { PianoRoll } from '../piano-roll/piano-roll'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { type EditorTarget, useView } from '../view/view-store'

function CommandButton({
  id,
  children,
  pressed,
}: {
  id: string
  children: React.ReactNode
  pressed?: boolean
}) {
  const studio = useStudio()
  const command = commandById(id)
  const keys = command.shortcuts.map(formatShortcut).join(', ')
  return (
    <button
      type="button"
      data-command={id}
      aria-pressed={pressed}
      className={pressed ? 'is-on' : undefined}
      title={keys ? `${command.label} (${keys})` : command.label}
      onClick={() => runCommand(command, studio, studio.report)}
    >
      {children}
    </button>
  )
}

export { CommandButton }

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
  const bar = (PPQ * 4 * ts.numerator) / ts.denominator
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
              className={showGrid ? 'is-on' : undefined}
              onClick={() => studio.view.set({ editorMode: 'drums' })}
            >
              Steps
            </button>
            <button
              type="button"
              className={!showGrid ? 'is-on' : undefined}
              onClick={() => studio.view.set({ editorMode: 'piano' })}
            >
              Piano roll
            </button>
          </fieldset>
        )}
        {!showGrid && (
          <fieldset className="st-seg" aria-label="Tool">
            <CommandButton id="tool-draw" pressed={tool === 'draw'}>
              ✎ Draw
            </CommandButton>
            <CommandButton id="tool-select" pressed={tool === 'select'}>
              ⬚ Select
            </CommandButton>
            <CommandButton id="tool-velocity" pressed={tool === 'velocity'}>
              ▮ Velocity
            </CommandButton>
          </fieldset>
        )}
        <CommandButton id="quantize">Quantize</CommandButton>
        <CommandButton id="transpose-down">−1</CommandButton>
        <CommandButton id="transpose-up">+1</CommandButton>
        <CommandButton id="transpose-octave-up">+12</CommandButton>
        <label className="st-small">
          Length{' '}
          <select
            aria-label="Clip length in bars"
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
                  {Number.isInteger(b) ? b : b.toFixed(2)} bars
                </option>
              ))}
          </select>
        </label>
        <button
          type="button"
          aria-pressed={clip.loopLength !== null}
          className={clip.loopLength !== null ? 'is-on' : undefined}
          title="Loop the clip: its first loop's notes repeat to the clip's end"
          onClick={() =>
            studio.run(() =>
              resizeClip(doc, me, target.trackId, clip.id, {
                loopLength: clip.loopLength === null ? clip.length : null,
              }),
            )
          }
        >
          ⟳ Loop
        </button>
        <CommandButton id="ai-panel">✦ AI</CommandButton>
        <span className="st-grow" />
        <span className="st-muted st-small" data-testid="note-count">
          {clip.notes.length} notes
        </span>
        <button
          type="button"
          aria-label="Close editor"
          onClick={() => studio.view.set({ editor: null, selection: { kind: 'none' } })}
        >
          ✕
        </button>
      </div>
      <NoteProvenance target={target} />
      {showGrid ? <DrumGrid target={target} /> : <PianoRoll target={target} drums={drums} />}
    </section>
  )
}
