'use client'

import { readTracks } from '@ensemble/core'
import { Circle, Headphones, Mic, Square, Timer } from 'lucide-react'
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { uploadProgressFor } from '../audio/upload-progress'
import { FLOOR_DB, MeterBallistics } from '../mixer/meter-ballistics'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { type AudioInputDevice, type InputChain, listInputs, openInput } from './audio-input'
import { calibrateInput, type InputLatency, inputLatency } from './input-latency'
import { createTakeRecorder } from './take-recorder'
import { type TakeMeta, takeStore } from './take-store'
import './audio-record-bar.css'

const SEGMENTS = 30

/** The input's level as a horizontal bar, drawn per frame without React renders. */
function InputMeter({ input }: { input: InputChain }) {
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const canvas = ref.current!
    const c = canvas.getContext('2d')!
    let frame = 0
    const meter = new MeterBallistics(1)
    const draw = () => {
      frame = requestAnimationFrame(draw)
      const peak = input.level()
      meter.step(peak > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(peak)) : FLOOR_DB)
      meter.publish(canvas)
      const { shown, peak: held } = meter
      // LED segments: green to -12 dBFS, amber to -3, red above; the held peak's segment stays lit.
      const { width, height } = canvas
      const segment = width / SEGMENTS
      for (let i = 0; i < SEGMENTS; i++) {
        const at = FLOOR_DB + ((i + 1) / SEGMENTS) * -FLOOR_DB
        const lit = at <= shown || Math.abs(at - held) < -FLOOR_DB / SEGMENTS / 2
        c.fillStyle = !lit ? '#23272f' : at > -3 ? '#f87171' : at > -12 ? '#fbbf24' : '#34d399'
        c.fillRect(i * segment, 0, segment - 1, height)
      }
    }
    frame = requestAnimationFrame(draw)
    return () => cancelAnimationFrame(frame)
  }, [input])
  return (
    <canvas
      ref={ref}
      width={120}
      height={10}
      className="st-input-meter"
      data-testid="input-meter"
      title="Input level (dBFS)"
    />
  )
}

/** Takes a reload or a crash interrupted: offered back, newest last. */
function UnfinishedTakes(props: {
  takes: readonly TakeMeta[]
  onKeep: (id: string) => void
  onDiscard: (id: string) => void
}) {
  if (props.takes.length === 0) return null
  return (
    <div className="st-unfinished" role="status" data-testid="unfinished-takes">
      {props.takes.map((t) => (
        <span key={t.id} className="st-unfinished-take">
          An unfinished take from {new Date(t.startedAt).toLocaleTimeString()} was kept.
          <button type="button" onClick={() => props.onKeep(t.id)}>
            Put it in the song
          </button>
          <button type="button" onClick={() => props.onDiscard(t.id)}>
            Discard
          </button>
        </span>
      ))}
    </div>
  )
}

/**
 * Recording audio: shown while an audio track is selected. Arm opens the input (device list, meter,
 * monitoring); Record plays the song from the playhead (or from the bar before the punch-in) and records
 * over it; Calibrate measures the input's round trip once per device.
 */
export function AudioRecordBar() {
  const studio = useStudio()
  const { session } = studio
  const readOnly = session.role === 'viewer'
  const selectedTrackId = useView(studio.view, (s) => s.selectedTrackId)
  const tracks = useSong(session.doc, readTracks)
  const track = tracks.find((t) => t.id === selectedTrackId && t.kind === 'audio') ?? null
  const awareness = session.connection.provider.awareness
  const recorder = useMemo(
    () =>
      createTakeRecorder({
        session,
        view: studio.view,
        transport: studio.audio,
        store: takeStore,
        progress: uploadProgressFor(awareness),
        report: studio.report,
      }),
    [session, studio, awareness],
  )
  const state = useSyncExternalStore(recorder.subscribe, recorder.get, recorder.get)
  const [devices, setDevices] = useState<readonly AudioInputDevice[]>([])
  const [deviceId, setDeviceId] = useState<string>('')
  const [input, setInput] = useState<InputChain | null>(null)
  const [armedTrackId, setArmedTrackId] = useState<string | null>(null)
  const [monitoring, setMonitoring] = useState(false)
  const [countIn, setCountIn] = useState(true)
  const [punch, setPunch] = useState(false)
  const [latency, setLatency] = useState<InputLatency | null>(null)
  const [calibrating, setCalibrating] = useState(false)
  const [unfinished, setUnfinished] = useState<readonly TakeMeta[]>([])

  const refreshDevices = useCallback(() => {
    void listInputs().then(setDevices, () => setDevices([]))
  }, [])

  // Takes left in the store: uploads resume by themselves; interrupted recordings are offered back.
  const checkStore = useCallback(async () => {
    const store = await takeStore()
    const takes = (await store.unfinished(session.projectId)).filter((t) => t.userId === session.me.userId)
    setUnfinished(takes.filter((t) => t.stage === 'recording'))
    for (const t of takes.filter((t) => t.stage === 'uploading')) await recorder.resume(t.id)
  }, [session, recorder])

  useEffect(() => {
    if (readOnly || typeof indexedDB === 'undefined') return
    const run = () => void checkStore().catch(studio.report)
    run()
    window.addEventListener('online', run)
    return () => window.removeEventListener('online', run)
  }, [checkStore, readOnly, studio.report])

  useEffect(() => {
    refreshDevices()
    navigator.mediaDevices?.addEventListener?.('devicechange', refreshDevices)
    return () => navigator.mediaDevices?.removeEventListener?.('devicechange', refreshDevices)
  }, [refreshDevices])

  useEffect(() => () => input?.close(), [input])
  useEffect(() => () => recorder.destroy(), [recorder])

  const arm = async (trackId: string) => {
    try {
      const context = await studio.audio.audioContext()
      if (!context) throw new Error('Audio cannot start in this browser')
      const opened = await openInput(context, deviceId || null)
      opened.setMonitoring(monitoring)
      setInput(opened)
      setArmedTrackId(trackId)
      setLatency(inputLatency(context, opened.deviceId))
      // Labels appear once the page may use a microphone.
      refreshDevices()
    } catch (err) {
      studio.report(err)
    }
  }
  const disarm = () => {
    input?.close()
    setInput(null)
    setArmedTrackId(null)
  }
  const switchDevice = async (id: string) => {
    setDeviceId(id)
    if (!input || !armedTrackId) return
    input.close()
    setInput(null)
    try {
      const context = await studio.audio.audioContext()
      if (!context) return
      const opened = await openInput(context, id || null)
      opened.setMonitoring(monitoring)
      setInput(opened)
      setLatency(inputLatency(context, opened.deviceId))
    } catch (err) {
      studio.report(err)
    }
  }
  const calibrate = async () => {
    if (!input) return
    setCalibrating(true)
    try {
      const context = await studio.audio.audioContext()
      if (!context) return
      await calibrateInput(context, input)
      setLatency(inputLatency(context, input.deviceId))
    } catch (err) {
      studio.report(err)
    } finally {
      setCalibrating(false)
    }
  }
  const record = () => {
    if (state.name !== 'idle') return void recorder.stop()
    if (!input || !armedTrackId) return
    recorder.start({ trackId: armedTrackId, input, countIn, punch }).catch(studio.report)
  }

  const armedHere = track !== null && armedTrackId === track.id
  const showBar = track !== null || armedTrackId !== null
  return (
    <>
      <UnfinishedTakes
        takes={unfinished}
        onKeep={(id) => {
          setUnfinished((u) => u.filter((t) => t.id !== id))
          recorder.resume(id).catch(studio.report)
        }}
        onDiscard={(id) => {
          setUnfinished((u) => u.filter((t) => t.id !== id))
          recorder.discard(id).catch(studio.report)
        }}
      />
      {showBar && (
        <div
          className="st-audio-record"
          role="toolbar"
          aria-label="Audio recording"
          data-testid="audio-record-bar"
        >
          <span className="st-audio-track">
            <Mic size={14} aria-hidden />{' '}
            {tracks.find((t) => t.id === (armedTrackId ?? track?.id))?.name ?? ''}
          </span>
          <button
            type="button"
            data-testid="arm"
            className={armedTrackId ? 'st-arm is-on' : 'st-arm'}
            aria-pressed={armedTrackId !== null}
            disabled={readOnly || state.name !== 'idle' || (!track && !armedTrackId)}
            title="Arm: open the input for this track"
            onClick={() => (armedTrackId ? disarm() : track && void arm(track.id))}
          >
            {armedTrackId ? 'Armed' : 'Arm'}
          </button>
          <label className="st-small">
            Input{' '}
            <select
              aria-label="Input"
              value={deviceId}
              disabled={state.name !== 'idle'}
              onChange={(e) => void switchDevice(e.target.value)}
            >
              <option value="">Default input</option>
              {devices.map((d) => (
                <option key={d.deviceId || d.label} value={d.deviceId}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
          {input && <InputMeter input={input} />}
          <button
            type="button"
            aria-pressed={monitoring}
            className={monitoring ? 'is-on' : undefined}
            title="Monitoring: hear the input through the speakers (use headphones)"
            onClick={() => {
              input?.setMonitoring(!monitoring)
              setMonitoring(!monitoring)
            }}
          >
            <Headphones size={14} aria-hidden /> Monitor
          </button>
          <button
            type="button"
            data-testid="calibrate"
            disabled={!input || calibrating || state.name !== 'idle'}
            title="Play clicks through the speakers and find them in the input: the take lands where it was played"
            onClick={() => void calibrate()}
          >
            <Timer size={14} aria-hidden /> {calibrating ? 'Listening…' : 'Calibrate'}
          </button>
          {latency && (
            <span className="st-small" data-testid="latency" data-source={latency.source}>
              {latency.source === 'measured' ? '' : '≈ '}
              {latency.ms.toFixed(1)} ms{latency.source === 'measured' ? ' measured' : ' estimated'}
            </span>
          )}
          <label className="st-small" title="One bar of metronome first">
            <input type="checkbox" checked={countIn} onChange={(e) => setCountIn(e.target.checked)} />{' '}
            Count-in
          </label>
          <label className="st-small" title="Record only over the loop region">
            <input type="checkbox" checked={punch} onChange={(e) => setPunch(e.target.checked)} /> Punch
          </label>
          <button
            type="button"
            data-testid="record-audio"
            className={`st-rec${state.name !== 'idle' ? ' is-on' : ''}`}
            aria-pressed={state.name !== 'idle'}
            disabled={readOnly || (!armedHere && state.name === 'idle') || state.name === 'saving'}
            title={armedHere ? 'Record a take on this track' : 'Arm an audio track to record on it'}
            onClick={record}
          >
            {state.name === 'idle' ? (
              <>
                <Circle size={12} aria-hidden fill="currentColor" /> Rec
              </>
            ) : (
              <>
                <Square size={12} aria-hidden fill="currentColor" />{' '}
                {state.name === 'counting-in'
                  ? `${state.beatsLeft}…`
                  : state.name === 'recording'
                    ? `Rec ${state.seconds} s`
                    : 'Saving…'}
              </>
            )}
          </button>
        </div>
      )}
    </>
  )
}
