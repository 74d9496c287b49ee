'use client'

import { PPQ } from '@ensemble/core'
import { useEffect, useState, useSyncExternalStore } from 'react'
import type { IntervalBars, JamMode } from '../../wire/jam'
import { useStudio } from '../studio-context'
import type { LiveNoteEvent } from './live-notes'
import './jam-controls.css'

/**
 * The "Jam" control in the transport bar: pick live or interval (1, 2, 4 bars), start or stop the room's jam
 * (editors; viewers listen), record the jam into takes, and see who is playing. Each bandmate's latest note
 * shows with where it was played and where it sounds here (`data-*`: played tick, server times), so a player
 * sees the band is heard, and the e2e suite reads the schedule from the page.
 */

const CHOICES: readonly { label: string; mode: JamMode; bars: IntervalBars }[] = [
  { label: 'Live', mode: 'live', bars: 1 },
  { label: 'Interval · 1 bar', mode: 'interval', bars: 1 },
  { label: 'Interval · 2 bars', mode: 'interval', bars: 2 },
  { label: 'Interval · 4 bars', mode: 'interval', bars: 4 },
]

const NAMES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B']
const noteName = (pitch: number) => `${NAMES[pitch % 12]}${Math.floor(pitch / 12) - 1}`

export function JamControls() {
  const studio = useStudio()
  const { jam } = studio
  const status = useSyncExternalStore(jam.subscribe, jam.status, jam.status)
  const [choice, setChoice] = useState(0)
  const [heard, setHeard] = useState<ReadonlyMap<string, LiveNoteEvent>>(new Map())
  const readOnly = studio.session.role === 'viewer'
  const { state } = status

  useEffect(
    () =>
      jam.notes.subscribe((event) => {
        if (!event.note.on) return
        setHeard((prev) => new Map(prev).set(event.note.player.id, event))
      }),
    [jam],
  )

  const toggle = () => {
    if (state.running) return jam.stop()
    const picked = CHOICES[choice] ?? CHOICES[0]!
    // Sound needs a gesture: this click loads the engine so the jam's start is heard.
    void studio.audio.audioContext()
    jam.start({ mode: picked.mode, intervalBars: picked.bars })
  }
  const toggleRecording = () => {
    if (!status.recording) return jam.startRecording()
    studio.run(() => jam.stopRecording())
  }

  const barTicks = state.running ? state.beatsPerBar * PPQ : PPQ * 4
  return (
    <span
      className="st-jam"
      data-testid="jam"
      data-running={state.running ? 'true' : 'false'}
      data-clock-samples={String(status.clockSamples)}
    >
      <select
        aria-label="Jam mode"
        data-testid="jam-mode"
        value={String(choice)}
        disabled={state.running || readOnly}
        onChange={(e) => setChoice(Number(e.target.value))}
      >
        {CHOICES.map((c, i) => (
          <option key={c.label} value={String(i)}>
            {c.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        data-testid="jam-toggle"
        className={state.running ? 'is-on' : undefined}
        aria-pressed={state.running}
        disabled={readOnly || status.clockErrorMs === null}
        title={
          readOnly ? 'Viewers listen to a jam; editors start it' : 'Everyone plays from this bar, together'
        }
        onClick={toggle}
      >
        {state.running ? 'Stop jam' : 'Jam'}
      </button>
      <button
        type="button"
        data-testid="jam-record"
        className={status.recording ? 'is-on' : undefined}
        aria-pressed={status.recording}
        disabled={readOnly}
        title="Record every player's notes into their own track as a take"
        onClick={toggleRecording}
      >
        {status.recording ? '● Rec jam' : 'Rec jam'}
      </button>
      {state.running ? (
        <span
          className="st-jam-status"
          data-testid="jam-status"
          data-mode={state.mode}
          data-start-at={String(state.startAt)}
          data-start-bar={String(state.startBar)}
          data-bpm={String(state.bpm)}
          data-beats-per-bar={String(state.beatsPerBar)}
          data-interval-bars={String(state.intervalBars)}
        >
          {state.mode === 'live'
            ? 'Live'
            : `Every ${state.intervalBars} bar${state.intervalBars > 1 ? 's' : ''}`}{' '}
          from bar {state.startBar + 1} · {state.by.name || state.by.id}
          {status.clockErrorMs !== null ? ` · clock ±${status.clockErrorMs.toFixed(1)} ms` : ''}
          {status.bufferMs !== null ? ` · buffer ${Math.round(status.bufferMs)} ms` : ''}
          {status.droppedByServer > 0 ? ` · ${status.droppedByServer} notes dropped (too fast)` : ''}
          {status.lateDropped > 0 ? ` · ${status.lateDropped} late` : ''}
        </span>
      ) : null}
      {state.running
        ? [...heard.values()].map((e) => (
            <span
              key={e.note.player.id}
              className="st-jam-player"
              data-testid="jam-heard"
              data-player={e.note.player.id}
              data-origin={e.origin}
              data-pitch={String(e.note.pitch)}
              data-played-tick={String(e.note.tick)}
              data-played-at={String(e.note.at)}
              data-sound-at={String(e.soundAt)}
              data-sound-tick={String(e.soundTick)}
              data-local-at={String(e.localAt)}
            >
              {e.note.player.name || e.note.player.id} ♪ {noteName(e.note.pitch)} · bar{' '}
              {Math.floor(e.soundTick / barTicks) + 1}
            </span>
          ))
        : null}
    </span>
  )
}
