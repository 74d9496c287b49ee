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
  /**
   * What an audio export covers: the whole song (with a second of tail), the loop region, or the whole song
   * as a seamless loop (what rings past its end folded onto its start, loop points in the file: core
   * audio/loop.ts and wav.ts), which is how the background maker's loops are exported.
   */
  const [scope, setScope] = useState<'song' | 'loop' | 'seamless'>('song')
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
  /**
   * Renders the song over the chosen range and saves it as a WAV: the mix, a stem of the selected tracks, or
   * one stem per track (each a file, the same length, so they line up when imported).
   */
  const exportWav = async (which: 'mix' | 'selected' | 'each') => {
    if (render.status === 'rendering') return
    const cancel = new AbortController()
    setRender({ status: 'rendering', progress: 0, cancel })
    try {
      const audio = await import('@ensemble/core/audio')
      const { loop } = studio.view.get()
      const range = scope === 'loop' ? { start: loop.start, end: loop.end } : undefined
      const title = readMeta(doc).title
      const song = readSong(doc)
      const all = readTracks(doc).map((t) => t.id)
      const files: (readonly string[] | null)[] =
        which === 'mix'
          ? [null]
          : which === 'each'
            ? all.map((id) => [id])
            : [stemTrackIds(studio.view.get(), all)]
      if (files.some((tracks) => tracks?.length === 0))
        throw new Error('Select a track (or clips) to export as a stem.')
      const seamless = scope === 'seamless'
      const length = range
        ? { range, sampleRate: SAMPLE_RATE }
        : { tailSeconds: seamless ? audio.LOOP_TAIL_SECONDS : 1, sampleRate: SAMPLE_RATE }
      // Refused before hours of rendering: the file could not hold it (a clip far out on the timeline).
      const seconds = audio.renderDurationSeconds(song, length)
      const limit = audio.wavLimitSeconds(SAMPLE_RATE, 2)
      if (seconds > limit) {
        throw new Error(
          `This song runs ${(seconds / 3600).toFixed(1)} hours; a WAV file holds at most ${(limit / 3600).toFixed(1)}. Export the loop region instead.`,
        )
      }
      const loopFrames = Math.round(audio.renderDurationSeconds(song) * SAMPLE_RATE)
      for (const [i, tracks] of files.entries()) {
        // Audio clips render from the same buffers the live engine plays (downloaded once per hash).
        const assets = song.tracks.some((t) => t.audioClips.length > 0 && (!tracks || tracks.includes(t.id)))
          ? await studio.audio.audioAssets()
          : null
        const rendered = await audio.renderSong(song, {
          ...length,
          ...(assets ? { assets } : {}),
          ...(tracks ? { tracks } : {}),
          signal: cancel.signal,
          onProgress: (progress) =>
            setRender({ status: 'rendering', progress: (i + progress) / files.length, cancel }),
        })
        const names = tracks ? song.tracks.filter((t) => tracks.includes(t.id)).map((t) => t.name) : []
        const suffix = `${tracks ? ` - ${names.join(', ')}` : ''}${scope === 'song' ? '' : ' (loop)'}`
        const wav = seamless
          ? audio.encodeWav(audio.foldLoopTail(rendered, loopFrames), 'pcm16', { start: 0, end: loopFrames })
          : audio.encodeWav(rendered)
        saveBlob(wav, 'audio/wav', fileNameFor(`${title}${suffix}`, 'wav'))
      }
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
        onChange={(e) => {
          const value = e.target.value
          setScope(value === 'loop' || value === 'seamless' ? value : 'song')
        }}
      >
        <option value="song">Whole song</option>
        <option value="loop">Loop region</option>
        <option value="seamless">Whole song as a seamless loop</option>
      </select>
      <button
        type="button"
        onClick={() => exportWav('mix')}
        disabled={render.status === 'rendering'}
        data-testid="export-wav"
      >
        Export WAV
      </button>
      <button
        type="button"
        onClick={() => exportWav('selected')}
        disabled={render.status === 'rendering' || !canStem}
        title="Export the selected track(s) alone as a WAV stem, over the same range"
        data-testid="export-stem"
        aria-label="Export stem"
      >
        Stem
      </button>
      <button
        type="button"
        onClick={() => exportWav('each')}
        disabled={render.status === 'rendering'}
        title="Export every track as its own WAV stem, over the same range"
        data-testid="export-stems"
      >
        All stems
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
