import {
  addNotes,
  type NoteInput,
  PPQ,
  readClip,
  readMeta,
  SIXTEENTH,
  ticksPerBar,
  ticksPerBeat,
} from '@ensemble/core'
import type { SongSession } from '../session/song-session'
import type { Transport } from '../transport/transport'
import type { EditorTarget, ViewStore } from '../view/view-store'

export interface RecordOptions {
  /** One bar of metronome before recording starts. */
  readonly countIn: boolean
  /** Snap recorded note starts to the view's grid. */
  readonly quantize: boolean
}

export type RecorderState =
  | { readonly name: 'idle' }
  | { readonly name: 'counting-in'; readonly target: EditorTarget; readonly beatsLeft: number }
  | { readonly name: 'recording'; readonly target: EditorTarget; readonly taken: number }

interface Take {
  readonly target: EditorTarget
  readonly clipStart: number
  readonly clipLength: number
  readonly loopLength: number | null
  readonly held: Map<number, { start: number; velocity: number }>
  readonly notes: NoteInput[]
}

/**
 * Recording into a clip, as a state machine: idle -> counting-in -> recording -> idle. Notes played while
 * recording are kept here (with the transport's position for their start) and written on stop as one
 * addNotes, so a take is one undo step and bandmates receive it whole. A count-in plays the bar before the
 * clip with the metronome where there is one; at the song's start it counts the bar on the clock instead.
 */
export function createRecorder(deps: {
  readonly session: SongSession
  readonly view: ViewStore
  readonly transport: Transport
  readonly report: (err: unknown) => void
}) {
  const { session, view, transport } = deps
  let state: RecorderState = { name: 'idle' }
  let take: Take | null = null
  let options: RecordOptions = { countIn: true, quantize: false }
  let frame = 0
  let countTimer: ReturnType<typeof setInterval> | null = null
  let metronomeBefore = false
  const listeners = new Set<() => void>()
  const set = (next: RecorderState) => {
    state = next
    for (const l of [...listeners]) l()
  }

  const relative = () => Math.round(transport.position()) - (take?.clipStart ?? 0)

  const watch = () => {
    frame = requestAnimationFrame(watch)
    if (!take) return
    const pos = relative()
    if (state.name === 'counting-in' && countTimer === null && pos >= 0)
      set({ name: 'recording', target: take.target, taken: 0 })
    else if (state.name === 'counting-in' && countTimer === null) {
      const beat = ticksPerBeat(readMeta(session.doc).timeSignature)
      const left = Math.ceil(-pos / beat)
      if (left !== state.beatsLeft) set({ ...state, beatsLeft: left })
    }
    if (state.name === 'recording' && pos >= take.clipLength) recorder.stop()
  }

  const recorder = {
    get: () => state,
    subscribe(listener: () => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    start(target: EditorTarget, opts: RecordOptions) {
      if (state.name !== 'idle') return
      const clip = readClip(session.doc, target.trackId, target.clipId)
      if (!clip) return
      options = opts
      const meta = readMeta(session.doc)
      const _beat = ticksPerBeat(meta.timeSignature)
      const bar = ticksPerBar(meta.timeSignature)
      take = {
        target,
        clipStart: clip.start,
        clipLength: clip.length,
        loopLength: clip.loopLength,
        held: new Map(),
        notes: [],
      }
      metronomeBefore = view.get().metronome
      view.set({ metronome: true, loop: { ...view.get().loop, enabled: false } })
      transport.stop()
      if (!opts.countIn) {
        transport.seek(clip.start)
        transport.play()
        set({ name: 'recording', target, taken: 0 })
      } else if (clip.start >= bar) {
        transport.seek(clip.start - bar)
        transport.play()
        set({ name: 'counting-in', target, beatsLeft: meta.timeSignature.numerator })
      } else {
        // No bar before the clip to play: count the beats on the clock, then start at the clip.
        let left = meta.timeSignature.numerator
        set({ name: 'counting-in', target, beatsLeft: left })
        const ms = (60_000 / meta.bpm) * (4 / meta.timeSignature.denominator)
        countTimer = setInterval(() => {
          left--
          if (left > 0) {
            set({ name: 'counting-in', target, beatsLeft: left })
            return
          }
          if (countTimer) clearInterval(countTimer)
          countTimer = null
          transport.seek(clip.start)
          transport.play()
          set({ name: 'recording', target, taken: 0 })
        }, ms)
      }
      cancelAnimationFrame(frame)
      frame = requestAnimationFrame(watch)
    },
    noteOn(pitch: number, velocity: number) {
      if (state.name !== 'recording' || !take) return
      take.held.set(pitch, { start: relative(), velocity })
    },
    noteOff(pitch: number) {
      if (state.name !== 'recording' || !take) return
      const held = take.held.get(pitch)
      if (!held) return
      take.held.delete(pitch)
      take.notes.push({
        pitch,
        start: held.start,
        duration: Math.max(PPQ / 16, relative() - held.start),
        velocity: held.velocity,
      })
      set({ ...state, taken: take.notes.length })
    },
    stop() {
      cancelAnimationFrame(frame)
      if (countTimer) clearInterval(countTimer)
      countTimer = null
      const done = take
      take = null
      if (state.name === 'idle' || !done) return
      const end = Math.round(transport.position()) - done.clipStart
      for (const [pitch, held] of done.held) {
        done.notes.push({
          pitch,
          start: held.start,
          duration: Math.max(PPQ / 16, end - held.start),
          velocity: held.velocity,
        })
      }
      transport.stop()
      view.set({ metronome: metronomeBefore })
      set({ name: 'idle' })
      const grid = view.get().snap > 0 ? Math.min(view.get().snap, PPQ) : SIXTEENTH
      const notes = done.notes
        .map((n) => {
          // The grid is anchored at song tick 0, as quantizeNotes is.
          const start = options.quantize
            ? Math.round((done.clipStart + n.start) / grid) * grid - done.clipStart
            : n.start
          const wrapped =
            done.loopLength !== null && start >= done.loopLength ? start % done.loopLength : start
          return { ...n, start: Math.max(0, wrapped) }
        })
        .filter((n) => n.start < done.clipLength)
      if (notes.length === 0) return
      try {
        const ids = addNotes(session.doc, session.me, done.target.trackId, done.target.clipId, notes)
        view.set({ selection: { kind: 'notes', ...done.target, noteIds: ids } })
      } catch (err) {
        deps.report(err)
      }
    },
    destroy() {
      cancelAnimationFrame(frame)
      if (countTimer) clearInterval(countTimer)
      listeners.clear()
    },
  }
  return recorder
}

export type Recorder = ReturnType<typeof createRecorder>
