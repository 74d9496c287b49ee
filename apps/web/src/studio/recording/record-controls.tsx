'use client'

import { readTracks } from '@ensemble/core'
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { localPlayerOf } from '../partner/player-stream'
import { useStudio } from '../studio-context'
import type { AudioTransport } from '../transport/audio-transport'
import { useView } from '../view/view-store'
import { attachComputerKeyboard } from './computer-keys'
import { createRecorder } from './recorder'
import { attachWebMidi, type MidiInputHandle } from './web-midi'
import './record-controls.css'

/**
 * Playing and recording: notes from a MIDI keyboard (Web MIDI) or the computer keyboard ("Keys") sound on
 * the open clip's track (else the selected track) and, while recording, go into the open clip.
 */
export function RecordControls({ transport }: { transport: AudioTransport }) {
  const studio = useStudio()
  const recorder = useMemo(
    () => createRecorder({ session: studio.session, view: studio.view, transport, report: studio.report }),
    [studio, transport],
  )
  const state = useSyncExternalStore(recorder.subscribe, recorder.get, recorder.get)
  const editor = useView(studio.view, (s) => s.editor)
  const [keys, setKeys] = useState(false)
  const [octave, setOctave] = useState(4)
  const [devices, setDevices] = useState<readonly string[] | null>(null)
  const [countIn, setCountIn] = useState(true)
  const [quantize, setQuantize] = useState(true)
  const midi = useRef<MidiInputHandle | null>(null)
  const readOnly = studio.session.role === 'viewer'

  // Where played notes sound: the open clip's track, else the selected one, else the first.
  const handlers = useMemo(() => {
    const trackId = () => {
      const v = studio.view.get()
      return v.editor?.trackId ?? v.selectedTrackId ?? readTracks(studio.session.doc)[0]?.id ?? null
    }
    const sounding = new Map<number, string>()
    // What an AI partner follows: the local player's notes, stamped with the song's position.
    const player = localPlayerOf(studio.session, () => transport.position())
    return {
      noteOn(pitch: number, velocity: number) {
        player.noteOn(pitch, velocity)
        const id = trackId()
        if (!id) return
        sounding.set(pitch, id)
        transport.noteOn(id, pitch, velocity)
        recorder.noteOn(pitch, velocity)
        // In a jam the note also goes to the bandmates, live (nothing is sent outside one).
        studio.jam.play(id, pitch, velocity)
      },
      noteOff(pitch: number) {
        player.noteOff(pitch)
        const id = sounding.get(pitch)
        sounding.delete(pitch)
        if (id) transport.noteOff(id, pitch)
        recorder.noteOff(pitch)
        if (id) studio.jam.release(id, pitch)
      },
    }
  }, [studio, transport, recorder])

  useEffect(() => {
    if (!keys) return
    const attached = attachComputerKeyboard({ ...handlers, octaveChanged: setOctave })
    return () => attached.destroy()
  }, [keys, handlers])

  useEffect(
    () => () => {
      midi.current?.destroy()
      recorder.stop()
      recorder.destroy()
    },
    [recorder],
  )

  const connectMidi = async () => {
    if (midi.current) return
    midi.current = await attachWebMidi({ ...handlers, devicesChanged: setDevices })
    if (!midi.current) setDevices([])
  }

  const recording = state.name !== 'idle'
  const toggleRecord = () => {
    if (recording) return recorder.stop()
    if (!editor) return
    void connectMidi()
    recorder.start(editor, { countIn, quantize })
  }

  return (
    <span className="st-record">
      <button
        type="button"
        data-testid="record"
        className={`st-rec${recording ? ' is-on' : ''}`}
        aria-pressed={recording}
        disabled={readOnly || (!editor && !recording)}
        title={editor ? 'Record into the open clip' : 'Open a clip to record into it'}
        onClick={toggleRecord}
      >
        {state.name === 'counting-in'
          ? `● ${state.beatsLeft}…`
          : state.name === 'recording'
            ? `● Rec ${state.taken}`
            : '● Rec'}
      </button>
      <label className="st-small" title="One bar of metronome first">
        <input type="checkbox" checked={countIn} onChange={(e) => setCountIn(e.target.checked)} /> Count-in
      </label>
      <label className="st-small" title="Snap recorded notes to the grid">
        <input type="checkbox" checked={quantize} onChange={(e) => setQuantize(e.target.checked)} /> Quantize
      </label>
      <button
        type="button"
        aria-pressed={keys}
        data-testid="computer-keys"
        className={keys ? 'is-on' : undefined}
        title="Play with the computer keyboard: A–; white keys, W E T Y U O P black keys, Z/X octave"
        onClick={() => setKeys(!keys)}
      >
        ⌨ Keys{keys ? ` C${octave}` : ''}
      </button>
      <button
        type="button"
        title={devices && devices.length > 0 ? devices.join(', ') : 'Connect MIDI keyboards (Web MIDI)'}
        onClick={() => void connectMidi()}
      >
        MIDI{devices === null ? '' : devices.length > 0 ? ` · ${devices.length}` : ' · none'}
      </button>
    </span>
  )
}
