/*
 * Plays audio clips on the transport. Each clip is one transport event at its start tick, which starts a
 * native AudioBufferSourceNode at the exact time with the clip's offset into the asset; a gain node under
 * it draws the clip gain and fades. Starting the transport (or a loop pass, or a seek) inside a clip starts
 * it there, at the sample that belongs at that song time, and a clip whose audio arrives while the transport
 * runs joins in at the playhead: the transport never restarts for audio.
 *
 * Native nodes rather than Tone's Player: a synced Player restarts its fade-in wherever the transport starts
 * it, and its sources live in Tone objects that must be disposed; these are dropped once they have played.
 */
import { secondsToTicks, ticksToSeconds } from '../music/time'
import type { AssetBuffers } from './asset-buffers'
import type { AudioClipEvent } from './diff'
import type { ToneContext } from './tone'
import { followTransport } from './transport-follow'

/** How far ahead of now a clip joining a running transport starts (its audio arrived, or it was edited). */
const JOIN_AHEAD_SECONDS = 0.05

/**
 * The shortest ramp at a clip edge that cuts into audio (a comp boundary between takes, a trim, a start
 * inside the clip): a waveform cut off mid-swing clicks, and 3 ms of fade is too short to hear as one. An
 * edge at the file's own start or end, with a fade of its own, or where the next clip on the track goes on
 * with the same audio (the two halves of a split) is left as it is, so a split stays seamless.
 */
export const EDGE_SECONDS = 0.003

/** Whether `next` goes on exactly where `clip` stops: the same asset, the next sample, the same song time. */
export const continues = (clip: AudioClipEvent, next: AudioClipEvent, bpm: number): boolean =>
  clip.asset === next.asset &&
  Math.abs(clip.offset + clip.length - next.offset) < 1e-6 &&
  Math.abs(clip.tick + secondsToTicks(clip.length, bpm) - next.tick) < 0.5

/** The clip with edge ramps where it cuts into its asset (`assetSeconds` long) and nothing goes on. */
export const withEdges = (
  clip: AudioClipEvent,
  assetSeconds: number,
  joined: { readonly before: boolean; readonly after: boolean },
): AudioClipEvent => {
  const edge = Math.min(EDGE_SECONDS, clip.length / 2)
  const cutIn = clip.offset > 0 && clip.fadeIn === 0 && !joined.before
  const cutOut = clip.offset + clip.length < assetSeconds - 1e-6 && clip.fadeOut === 0 && !joined.after
  if (!cutIn && !cutOut) return clip
  return { ...clip, fadeIn: cutIn ? edge : clip.fadeIn, fadeOut: cutOut ? edge : clip.fadeOut }
}

/** Gain of a clip at `into` seconds of it: clip gain, shaped by the fades. */
export const clipGainAt = (clip: AudioClipEvent, into: number): number => {
  let shape = 1
  if (clip.fadeIn > 0 && into < clip.fadeIn) shape = Math.min(shape, into / clip.fadeIn)
  if (clip.fadeOut > 0 && into > clip.length - clip.fadeOut)
    shape = Math.min(shape, (clip.length - into) / clip.fadeOut)
  return clip.gain * Math.max(0, shape)
}

interface Voice {
  readonly source: AudioBufferSourceNode
  readonly amp: GainNode
}

interface Scheduled {
  readonly trackId: string
  readonly clip: AudioClipEvent
  readonly destination: AudioNode
  readonly eventId: number
  readonly voices: Set<Voice>
}

export class AudioClipPlayer {
  readonly #context: ToneContext
  readonly #assets: AssetBuffers | null
  readonly #bpm: () => number
  readonly #clips = new Map<string, Scheduled>()
  readonly #unsubscribe: () => void
  readonly #unfollow: () => void

  constructor(context: ToneContext, assets: AssetBuffers | null, bpm: () => number) {
    this.#context = context
    this.#assets = assets
    this.#bpm = bpm
    this.#unfollow = followTransport(context, this.#started, this.#stopped, true)
    this.#unsubscribe = assets?.onLoaded((hash) => this.#arrived(hash)) ?? (() => {})
  }

  /** Schedules (or reschedules) a clip into `destination`, a native node of the clip's track. */
  schedule(trackId: string, clipId: string, clip: AudioClipEvent, destination: AudioNode): void {
    this.remove(clipId)
    const transport = this.#context.transport
    const eventId = transport.schedule((time) => {
      const scheduled = this.#clips.get(clipId)
      if (scheduled !== undefined) this.#start(scheduled, time, 0)
    }, `${clip.tick}i`)
    const scheduled: Scheduled = { trackId, clip, destination, eventId, voices: new Set() }
    this.#clips.set(clipId, scheduled)
    if (this.#assets !== null && this.#assets.get(clip.asset) === undefined) {
      // Silent until it arrives; `#arrived` then brings it in. A failed load leaves it silent.
      this.#assets.load(clip.asset).catch(() => {})
    }
    // An edit while the playhead is inside the clip: the old voice was cut, the new one picks up from here.
    this.#join(scheduled)
  }

  remove(clipId: string): void {
    const scheduled = this.#clips.get(clipId)
    if (scheduled === undefined) return
    this.#context.transport.clear(scheduled.eventId)
    this.#silence(scheduled, this.#context.now())
    this.#clips.delete(clipId)
  }

  removeTrack(trackId: string): void {
    for (const [clipId, scheduled] of [...this.#clips]) if (scheduled.trackId === trackId) this.remove(clipId)
  }

  /**
   * The tempo changed: the transport re-times every start tick, but a sounding source plays on at its own
   * pace, so each clip the playhead is inside restarts there, where its audio now belongs.
   */
  retime(): void {
    for (const scheduled of this.#clips.values()) if (scheduled.voices.size > 0) this.#join(scheduled)
  }

  /** Clip ids scheduled, for diagnostics. */
  clipIds(): readonly string[] {
    return [...this.#clips.keys()]
  }

  dispose(): void {
    for (const clipId of [...this.#clips.keys()]) this.remove(clipId)
    this.#unfollow()
    this.#unsubscribe()
  }

  /** The transport started (or looped, or was moved) at `time`: clips the playhead is inside start there. */
  readonly #started = (time: number): void => {
    const ticks = this.#context.transport.getTicksAtTime(time)
    for (const scheduled of this.#clips.values()) this.#startInside(scheduled, time, ticks)
  }

  readonly #stopped = (time: number): void => {
    for (const scheduled of this.#clips.values()) this.#silence(scheduled, time)
  }

  #arrived(hash: string): void {
    for (const scheduled of this.#clips.values()) if (scheduled.clip.asset === hash) this.#join(scheduled)
  }

  /** Starts a clip at the playhead, if the transport runs and the playhead is inside it. */
  #join(scheduled: Scheduled): void {
    const transport = this.#context.transport
    if (transport.state !== 'started') return
    const time = this.#context.now() + JOIN_AHEAD_SECONDS
    this.#silence(scheduled, time)
    this.#startInside(scheduled, time, transport.getTicksAtTime(time))
  }

  /**
   * Starts the clip `ticks - clip.tick` into it. A playhead on the clip's start (within half a tick: the
   * transport starts on whole ticks, and its clock reads them back through floats) is left to the transport
   * event there, which fires on start as well, so the clip does not start twice.
   */
  #startInside(scheduled: Scheduled, time: number, ticks: number): void {
    const { clip } = scheduled
    if (ticks < clip.tick + 0.5) return
    const into = ticksToSeconds(ticks - clip.tick, this.#bpm())
    if (into < clip.length) this.#start(scheduled, time, into)
  }

  #start(scheduled: Scheduled, time: number, into: number): void {
    const buffer = this.#assets?.get(scheduled.clip.asset)
    if (buffer === undefined) return
    const clip = withEdges(scheduled.clip, buffer.duration, this.#neighbours(scheduled))
    const remaining = clip.length - into
    if (remaining <= 0 || clip.gain === 0) return
    const raw = this.#context.rawContext as BaseAudioContext
    const source = raw.createBufferSource()
    source.buffer = buffer
    const amp = raw.createGain()
    // The envelope from `into` on: its value there (ramped up from silence over an edge when starting inside
    // the clip), then a linear ramp to each later corner.
    const edge = into > 0 ? Math.min(EDGE_SECONDS, remaining / 2) : 0
    amp.gain.setValueAtTime(edge > 0 ? 0 : clipGainAt(clip, into), time)
    const corners = [into + edge, clip.fadeIn, clip.length - clip.fadeOut, clip.length]
      .filter((at) => at > into && at >= into + edge)
      .sort((a, b) => a - b)
    for (const at of corners) amp.gain.linearRampToValueAtTime(clipGainAt(clip, at), time + at - into)
    source.connect(amp).connect(scheduled.destination)
    source.start(time, clip.offset + into, remaining)
    const voice: Voice = { source, amp }
    scheduled.voices.add(voice)
    source.onended = () => {
      scheduled.voices.delete(voice)
      // Unwired, ended nodes can leave node-web-audio-api's render graph once V8 collects them.
      source.disconnect()
      amp.disconnect()
    }
  }

  /** Whether another clip of the track leads seamlessly into this one, and whether one goes on after it. */
  #neighbours(scheduled: Scheduled): { before: boolean; after: boolean } {
    const bpm = this.#bpm()
    let before = false
    let after = false
    for (const other of this.#clips.values()) {
      if (other === scheduled || other.trackId !== scheduled.trackId) continue
      before ||= continues(other.clip, scheduled.clip, bpm)
      after ||= continues(scheduled.clip, other.clip, bpm)
    }
    return { before, after }
  }

  #silence(scheduled: Scheduled, time: number): void {
    for (const voice of scheduled.voices) {
      try {
        voice.source.stop(time)
      } catch {
        // Already stopped: nothing left to silence.
      }
    }
    scheduled.voices.clear()
  }
}
