import { readMeta, ticksPerBar, ticksPerBeat, ticksToSeconds } from '@ensemble/core'
import { encodeWav } from '@ensemble/core/audio'
import type { BaseContext } from 'tone'
import { prepareAsset, publishAsset, uploadCutOff } from '../audio/asset-publish'
import { takeGroupAt } from '../audio/song-audio'
import type { UploadProgress } from '../audio/upload-progress'
import type { SongSession } from '../session/song-session'
import type { AudioTransport } from '../transport/audio-transport'
import type { ViewStore } from '../view/view-store'
import type { InputChain } from './audio-input'
import { inputLatency } from './input-latency'
import { addTakeClip, arrivalTime, assembleTake } from './take-assembly'
import type { TakeChunk, TakeMeta, TakeStore } from './take-store'

/*
 * Recording audio over the transport, as a state machine: idle -> counting-in -> recording -> saving -> idle.
 *
 * - The capture runs from the moment the transport starts (count-in included) and every chunk is written
 *   to the take store as it arrives; the part kept is decided on stop, from the audio clock: from the
 *   record start (the playhead, or the punch-in) to the stop (or the punch-out), moved earlier by the
 *   input's round trip (take-assembly.ts).
 * - On stop: the take becomes a float32 WAV, is hashed, gets its peaks (drawn at once), goes into the
 *   song as an audio clip (a pass over an earlier take's region joins its take group), then its peaks and
 *   audio are uploaded. The store keeps the take until the upload is done, so a reload or an offline
 *   session resumes it (`resume`).
 */

export type TakeRecorderState =
  | { readonly name: 'idle' }
  | { readonly name: 'counting-in'; readonly trackId: string; readonly beatsLeft: number }
  | { readonly name: 'recording'; readonly trackId: string; readonly seconds: number }
  | { readonly name: 'saving'; readonly trackId: string }

export interface TakeOptions {
  readonly trackId: string
  readonly input: InputChain
  readonly countIn: boolean
  /** Record only over the loop region (punch in at its start, out at its end). */
  readonly punch: boolean
}

interface Running {
  readonly meta: TakeMeta
  readonly chunks: TakeChunk[]
  readonly writes: Promise<void>[]
  readonly input: InputChain
  readonly punchOut: number | null
  readonly metronomeBefore: boolean
  readonly loopBefore: boolean
}

/** How far ahead of the audio clock the anchor is read: past the transport's start, which Tone schedules ahead. */
const ANCHOR_AHEAD_S = 0.5

export function createTakeRecorder(deps: {
  readonly session: SongSession
  readonly view: ViewStore
  readonly transport: AudioTransport
  readonly store: () => Promise<TakeStore>
  readonly progress: UploadProgress
  readonly report: (err: unknown) => void
}) {
  const { session, view, transport } = deps
  let state: TakeRecorderState = { name: 'idle' }
  let running: Running | null = null
  let frame = 0
  let context: BaseContext | null = null
  const listeners = new Set<() => void>()
  const set = (next: TakeRecorderState) => {
    state = next
    for (const l of [...listeners]) l()
  }

  const watch = () => {
    frame = requestAnimationFrame(watch)
    if (!running || !context) return
    const pos = transport.position()
    const from = running.meta.keep.fromTick
    if (state.name === 'counting-in') {
      const beat = ticksPerBeat(readMeta(session.doc).timeSignature)
      if (pos >= from) set({ name: 'recording', trackId: running.meta.trackId, seconds: 0 })
      else {
        const left = Math.ceil((from - pos) / beat)
        if (left !== state.beatsLeft) set({ ...state, beatsLeft: left })
      }
    } else if (state.name === 'recording') {
      const seconds = Math.floor(ticksToSeconds(pos - from, readMeta(session.doc).bpm))
      if (seconds !== state.seconds) set({ ...state, seconds })
      // Out once the punch-out's sample is in: the playhead runs ahead of the audio clock (Tone's look-ahead),
      // and the performer's sound arrives one round trip after it played.
      if (running.punchOut !== null && context.currentTime >= arrivalTime(running.meta, running.punchOut)) {
        void recorder.stop()
      }
    }
  }

  // Takes being finished now: a reconnect during a stop's upload must not start a second one.
  const finishing = new Set<string>()

  /** Turns a stored take into a clip and an upload; shared by stop and by resuming after a reload. */
  async function finish(meta: TakeMeta, chunks: readonly TakeChunk[]): Promise<void> {
    if (finishing.has(meta.id)) return
    finishing.add(meta.id)
    try {
      await finishOnce(meta, chunks)
    } finally {
      finishing.delete(meta.id)
    }
  }

  async function finishOnce(meta: TakeMeta, chunks: readonly TakeChunk[]): Promise<void> {
    const store = await deps.store()
    const take = assembleTake(meta, chunks)
    if (!take) {
      await store.remove(meta.id)
      return
    }
    const wav = encodeWav({ sampleRate: take.sampleRate, channels: take.channels }, 'float32')
    const when = new Date(meta.startedAt)
    const name = `Take ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
    const asset = await prepareAsset(wav, take, { name, format: 'wav', mimeType: 'audio/wav' })
    // Playable here at once: the recorder hears the take before its upload ends.
    transport.provideAudio(asset.record.hash, take)
    let next = meta
    if (meta.stage === 'recording') {
      addTakeClip(session.doc, session.me, meta, take, asset.record)
      next = { ...meta, stage: 'uploading', asset: asset.record.hash }
      await store.begin(next)
    } else if (meta.asset !== asset.record.hash) {
      // The stored samples no longer make the file the clip names: nothing can be uploaded for it.
      await store.remove(meta.id)
      throw new Error('A stored take no longer matches its clip; it was discarded')
    }
    try {
      await publishAsset(session.projectId, asset, deps.progress)
    } catch (err) {
      // The take stays in this browser's store: the studio uploads it again on reconnect or next open.
      throw new Error(
        uploadCutOff(err)
          ? 'Offline: the take is in the song, and its audio uploads when the connection is back'
          : `The take is in the song but its audio was not stored: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
    await store.remove(next.id)
  }

  const recorder = {
    get: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async start(options: TakeOptions) {
      if (state.name !== 'idle') return
      context = await transport.audioContext()
      if (!context) throw new Error('Audio cannot start in this browser, so nothing can be recorded')
      const store = await deps.store()
      const meta = readMeta(session.doc)
      const bar = ticksPerBar(meta.timeSignature)
      const { loop, metronome } = view.get()
      const punch = options.punch && loop.end > loop.start ? loop : null
      const from = punch ? punch.start : Math.max(0, Math.round(transport.position()))
      const preRoll = options.countIn || punch ? Math.max(0, from - bar) : from
      view.set({ metronome: options.countIn || metronome, loop: { ...loop, enabled: false } })
      transport.stop()
      transport.seek(preRoll)
      // Capture before the transport starts: the first samples are kept from the first chunk, and each is
      // written once the take's description is in the store (IndexedDB can be slow to answer).
      const id = crypto.randomUUID()
      const chunks: TakeChunk[] = []
      const writes: Promise<void>[] = []
      let described = () => {}
      const begun = new Promise<void>((resolve) => {
        described = resolve
      })
      let seq = 0
      options.input.startCapture((c) => {
        const chunk: TakeChunk = { seq: seq++, frame: c.frame, channels: c.channels }
        chunks.push(chunk)
        writes.push(begun.then(() => store.append(id, chunk)).catch(deps.report))
      })
      transport.play()
      // The song clock at a point just ahead, once the transport's start is scheduled: with one tempo,
      // that point and the tempo place every captured frame on the timeline.
      const anchorTime = context.currentTime + ANCHOR_AHEAD_S
      const anchorTick = transport.tickAtTime(anchorTime) ?? preRoll
      const latency = inputLatency(context, options.input.deviceId)
      const takeMeta: TakeMeta = {
        id,
        projectId: session.projectId,
        trackId: options.trackId,
        userId: session.me.userId,
        startedAt: new Date().toISOString(),
        sampleRate: context.sampleRate,
        channels: options.input.channels,
        inputLabel: options.input.label.slice(0, 200),
        latencyMs: latency.ms,
        anchor: { time: anchorTime, tick: anchorTick, bpm: meta.bpm },
        keep: { fromTick: from, toTick: punch ? punch.end : null },
        takeGroupId: takeGroupAt(session.doc, options.trackId, from, punch ? punch.end : null),
        stage: 'recording',
      }
      writes.push(
        store.begin(takeMeta).then(described, (err: unknown) => {
          deps.report(err)
          described()
        }),
      )
      running = {
        meta: takeMeta,
        chunks,
        writes,
        input: options.input,
        punchOut: punch ? punch.end : null,
        metronomeBefore: metronome,
        loopBefore: loop.enabled,
      }
      set(
        preRoll < from
          ? {
              name: 'counting-in',
              trackId: options.trackId,
              beatsLeft: Math.ceil((from - preRoll) / ticksPerBeat(meta.timeSignature)),
            }
          : { name: 'recording', trackId: options.trackId, seconds: 0 },
      )
      cancelAnimationFrame(frame)
      frame = requestAnimationFrame(watch)
    },
    async stop() {
      const done = running
      if (!done || state.name === 'idle' || state.name === 'saving') return
      running = null
      cancelAnimationFrame(frame)
      set({ name: 'saving', trackId: done.meta.trackId })
      await done.input.stopCapture()
      transport.stop()
      view.set((s) => ({ metronome: done.metronomeBefore, loop: { ...s.loop, enabled: done.loopBefore } }))
      await Promise.all(done.writes)
      try {
        await finish(done.meta, done.chunks)
      } catch (err) {
        deps.report(err)
      } finally {
        set({ name: 'idle' })
      }
    },
    /** Takes a stored take further: one stopped by a reload (`recording`) or one whose upload was cut off. */
    async resume(takeId: string) {
      const store = await deps.store()
      const stored = await store.read(takeId)
      if (!stored) return
      await finish(stored.meta, stored.chunks)
    },
    async discard(takeId: string) {
      await (await deps.store()).remove(takeId)
    },
    destroy() {
      cancelAnimationFrame(frame)
      listeners.clear()
      if (running) {
        void running.input.stopCapture()
        running = null
      }
    },
  }
  return recorder
}

export type TakeRecorder = ReturnType<typeof createTakeRecorder>
