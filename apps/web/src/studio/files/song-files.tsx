'use client'

import { readMeta, readSong, readTracks } from '@ensemble/core'
import { exportMidi, importMidi } from '@ensemble/core/midi'
import { type ChangeEvent, useEffect, useRef, useState } from 'react'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { fileNameFor, saveBlob } from './save-blob'
import { stemTrackIds } from './stem-tracks'
import './song-files.css'

const SAMPLE_RATE = 44_100

type RenderState =
  | { readonly status: 'idle' }
  | { readonly status: 'rendering'; readonly progress: number; readonly cancel: AbortController }

/**
 * Import and export in the transport bar: MIDI in (pick a file, or drop one anywhere on the studio: one
 * track per MIDI track, tempo and meter kept, an empty song takes the file's title, one undo step), MIDI
 * out, and WAV of the song or the loop region rendered offline with a progress bar (the share of the
 * audio rendered so far) and a Cancel button; a stem is the same render with only the selected tracks
 * (each as its channel plays it, whatever mute and solo say), the song's length kept so stems line up.
 * Tone.js loads only when a WAV is asked for. Files are
 * named after the song's title.
 */
export function SongFiles() {
  const studio = useStudio()
  const { doc, me } = studio.session
  const input = useRef<HTMLInputElement>(null)
  const [render, setRender] = useState<RenderState>({ status: 'idle' })
  const [scope, setScope] = useState<'song' | 'loop'>('song')
  const readOnly = studio.session.role === 'viewer'
  const canStem = useView(studio.view, (v) => v.selection.kind !== 'none' || v.selectedTrackId !== null)

  const importFile = async (file: File) => {
    const bytes = await file.arrayBuffer()
    studio.run(() => {
      // Only sealed provenance passes the server's write rules (docs/PROTOCOL.md, 4406); the rest is dropped.
      const result = importMidi(doc, me, bytes, {
        fileName: file.name,
        keepProvenance: (p) => p.seal !== undefined,
      })
      studio.view.set({
        selectedTrackId: result.trackIds[0] ?? null,
        editor: null,
        selection: { kind: 'none' },
      })
    })
  }

  // A .mid dropped anywhere on the page imports it.
  useEffect(() => {
    if (readOnly) return
    const isMidi = (f: File) => /\.(mid|midi)$/i.test(f.name) || f.type === 'audio/midi'
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault()
    }
    const drop = (e: DragEvent) => {
      const file = [...(e.dataTransfer?.files ?? [])].find(isMidi)
      if (!file) return
      e.preventDefault()
      void importFile(file)
    }
    window.addEventListener('dragover', over)
    window.addEventListener('drop', drop)
    return () => {
      window.removeEventListener('dragover', over)
      window.removeEventListener('drop', drop)
    }
  })

  const onPick = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    e.target.value = ''
    if (file) await importFile(file)
  }

  const exportMid = () =>
    studio.run(() =>
      saveBlob(exportMidi(readSong(doc)), 'audio/midi', fileNameFor(readMeta(doc).title, 'mid')),
    )

  /** Renders the song (stem: only the selected tracks) over the chosen range and saves it as a WAV. */
  const exportWav = async (stem: boolean) => {
    if (render.status === 'rendering') return
    const cancel = new AbortController()
    setRender({ status: 'rendering', progress: 0, cancel })
    try {
      const audio = await import('@ensemble/core/audio')
      const { loop } = studio.view.get()
      const range = scope === 'loop' ? { start: loop.start, end: loop.end } : undefined
      const title = readMeta(doc).title
      const song = readSong(doc)
      const tracks = stem
        ? stemTrackIds(
            studio.view.get(),
            readTracks(doc).map((t) => t.id),
          )
        : null
      if (tracks?.length === 0) throw new Error('Select a track (or clips) to export as a stem.')
      const length = range ? { range, sampleRate: SAMPLE_RATE } : { tailSeconds: 1, sampleRate: SAMPLE_RATE }
      // Refused before hours of rendering: the file could not hold it (a clip far out on the timeline).
      const seconds = audio.renderDurationSeconds(song, length)
      const limit = audio.wavLimitSeconds(SAMPLE_RATE, 2)
      if (seconds > limit) {
        throw new Error(
          `This song runs ${(seconds / 3600).toFixed(1)} hours; a WAV file holds at most ${(limit / 3600).toFixed(1)}. Export the loop region instead.`,
        )
      }
      // Audio clips render from the same buffers the live engine plays (downloaded once per hash).
      const assets = song.tracks.some((t) => t.audioClips.length > 0 && (!tracks || tracks.includes(t.id)))
        ? await studio.audio.audioAssets()
        : null
      const rendered = await audio.renderSong(song, {
        ...length,
        ...(assets ? { assets } : {}),
        ...(tracks ? { tracks } : {}),
        signal: cancel.signal,
        onProgress: (progress) => setRender({ status: 'rendering', progress, cancel }),
      })
      const names = tracks ? song.tracks.filter((t) => tracks.includes(t.id)).map((t) => t.name) : []
      const suffix = `${tracks ? ` - ${names.join(', ')}` : ''}${scope === 'loop' ? ' (loop)' : ''}`
      saveBlob(audio.encodeWav(rendered), 'audio/wav', fileNameFor(`${title}${suffix}`, 'wav'))
    } catch (err) {
      // Cancelled on purpose: nothing to report, and no file.
      if (!cancel.signal.aborted) studio.report(err)
    } finally {
      setRender({ status: 'idle' })
    }
  }

  return (
    <span className="st-files">
      <input
        ref={input}
        type="file"
        accept=".mid,.midi,audio/midi"
        hidden
        onChange={onPick}
        data-testid="midi-input"
      />
      <button
        type="button"
        disabled={readOnly}
        onClick={() => input.current?.click()}
        title="Import a MIDI file (or drop one on the studio)"
      >
        Import MIDI
      </button>
      <button type="button" onClick={exportMid} data-testid="export-midi">
        Export MIDI
      </button>
      <select
        aria-label="Audio export range"
        value={scope}
        onChange={(e) => setScope(e.target.value === 'loop' ? 'loop' : 'song')}
      >
        <option value="song">Whole song</option>
        <option value="loop">Loop region</option>
      </select>
      <button
        type="button"
        onClick={() => exportWav(false)}
        disabled={render.status === 'rendering'}
        data-testid="export-wav"
      >
        Export WAV
      </button>
      <button
        type="button"
        onClick={() => exportWav(true)}
        disabled={render.status === 'rendering' || !canStem}
        title="Export the selected track(s) alone as a WAV stem, over the same range"
        data-testid="export-stem"
        aria-label="Export stem"
      >
        Stem
      </button>
      {render.status === 'rendering' && (
        <>
          <progress
            className="st-progress"
            max={1}
            value={render.progress}
            data-testid="render-progress"
            aria-label="Rendering audio"
          />
          <button type="button" onClick={() => render.cancel.abort()} data-testid="cancel-export">
            Cancel
          </button>
        </>
      )}
    </span>
  )
}
