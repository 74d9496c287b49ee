import { defineLivePlugin, type LiveNote, type LivePlugin, type LiveWindow } from '@ensemble/core/plugin'
import { NEVER } from '../common/step-runtime.js'
import { CONTINUE_STYLE_PARAMETER, CONTINUE_WEIGHTS, continuationWeight } from '../continue/continuation.js'
import { KEY_MIN } from '../continue/data.js'
import { HeardNotes } from './heard.js'
import { ListeningRoll } from './listening-roll.js'
import type { PartnerModel } from './partner-model.js'

export const CALL_RESPONSE_ID = 'studio.ensemble.live.call-response'

/** The continue model's two corpora, as the Continue generator names them; frames in beats. */
const STYLES = {
  folk: { corpus: 1, frameBeats: 0.5 },
  chorale: { corpus: 0, frameBeats: 1 },
} as const

/** The longest answer: 8 bars of 4/4. */
const MAX_ANSWER_BEATS = 32

/** An answer: its frames as they are drawn (MIDI pitches), and how far the host has been given them. */
interface Answer {
  startBeat: number
  frames: number
  drawn: (readonly number[])[]
  /** Resolves when at least n frames are drawn (or drawing ended). */
  waitFor(n: number): Promise<void>
  velocity: number
  cancelled: boolean
  /** The silence has lasted the gap: the answer plays (until then it is drawn in case it will). */
  committed: boolean
  /** Next frame index not yet handed to the host. */
  played: number
}

/** The phrase being listened to: where it began, and the model fed with its frames on the song's grid. */
interface Phrase {
  fromBeat: number
  /** Beat where the listener's frame 0 starts: the frame of the song's grid holding the first note. */
  gridStart: number
  listener: ListeningRoll
  /** Frames fed (heard) so far. */
  fed: number
}

/**
 * Call and response: listens to the followed player's phrase and, when the phrase ends (a silence of
 * `gap` beats with no key down), answers it with as many beats again, in the song's key and the phrase's
 * register and loudness, from the Continue model primed with the phrase. The model hears the phrase frame
 * by frame while it is played (ListeningRoll); the answer is drawn from the first silence on, in case the
 * phrase is over, and frame by frame while it plays, so a window waits only for the frames it holds. The
 * answer starts on the first frame of the song's grid the host can still schedule once the gap is heard;
 * a new phrase cuts it. Browser-safe: the model's shape and pinned asset are given (see partner-model.ts).
 */
export function callResponsePlugin({ shape, asset }: PartnerModel): LivePlugin {
  return defineLivePlugin({
    manifest: {
      id: CALL_RESPONSE_ID,
      name: 'Call and response',
      version: '1.1.0',
      hostApi: '^1.0.0',
      kind: 'live',
      description:
        "Answers each phrase the player plays, after it ends, with a phrase of the same length in the song's key (the Continue model primed with the phrase).",
      author: 'Ensemble',
      licence: 'MIT',
      trackKinds: ['instrument'],
      parameters: [
        CONTINUE_STYLE_PARAMETER,
        {
          id: 'temperature',
          type: 'float',
          label: 'Temperature',
          min: 0,
          max: 1.5,
          default: 0.8,
          step: 0.05,
        },
        {
          id: 'gap',
          type: 'float',
          label: 'Silence that ends a phrase (beats)',
          min: 0.125,
          max: 4,
          // The answer starts gap + the host's lookahead after the phrase (LIVE_HOST_LOOP): 0.125 + 0.375
          // keeps it within one beat on the 0.5-beat grid.
          default: 0.125,
          step: 0.125,
        },
      ],
      assets: [asset],
      capabilities: ['models', 'theory'],
    },
    start(input, ctx) {
      const { song, parameters } = input
      const style = STYLES[parameters.style]
      const fb = style.frameBeats
      const heard = new HeardNotes()
      const scale = new Set(ctx.theory.scalePitchClasses(song.key))
      const bias = Array.from({ length: shape.outputs }, (_, k) =>
        scale.has((k + KEY_MIN) % 12) ? 0 : NEVER,
      )
      /** Where the next phrase may begin: nothing before it is part of it. */
      let phraseFrom = 0
      let phrase: Phrase | null = null
      let answer: Answer | null = null
      let answers = 0

      /** The model's indices of the pitches sounding at the middle of frame f of the phrase's grid. */
      function frameAt(p: Phrase, f: number): number[] {
        const mid = p.gridStart + (f + 0.5) * fb
        return heard
          .soundingIn(mid, mid + 1e-6)
          .filter((n) => n.beat >= p.fromBeat)
          .map((n) => n.pitch - KEY_MIN)
          .filter((k) => k >= 0 && k < shape.outputs)
      }

      function listen(nowBeat: number): void {
        if (!phrase) {
          const first = heard.since(phraseFrom)[0]
          if (!first) return
          phrase = {
            fromBeat: first.beat,
            gridStart: Math.floor(first.beat / fb) * fb,
            listener: new ListeningRoll(ctx, 'continue', shape, () => style.corpus),
            fed: 0,
          }
        }
        const p = phrase
        // A frame is heard once the music has passed it; feeding runs behind the plan, one step each. The
        // silence after the phrase is not fed: the answer continues the phrase as if it followed at once.
        const silentFrom = heard.silentSince() ?? Number.POSITIVE_INFINITY
        while (
          p.gridStart + (p.fed + 1) * fb <= nowBeat &&
          p.gridStart + (p.fed + 0.5) * fb < silentFrom &&
          p.fed < MAX_ANSWER_BEATS * 4
        ) {
          p.listener.feed(frameAt(p, p.fed)).catch(() => undefined)
          p.fed++
        }
      }

      function startAnswer(p: Phrase, end: number, startBeat: number): Answer {
        const notes = heard.since(p.fromBeat)
        const length = Math.min(MAX_ANSWER_BEATS, Math.max(fb, end - p.fromBeat))
        const frames = Math.max(1, Math.round(length / fb))
        // Frames of the phrase not fed yet (its last ones, if the music has not passed them).
        const lastFrame = Math.ceil((end - p.gridStart) / fb - 0.5 - 1e-9)
        const assumed = Array.from({ length: Math.max(0, lastFrame - p.fed) }, (_, i) =>
          frameAt(p, p.fed + i),
        )
        const firstDraw = p.fed + assumed.length
        const drawn: (readonly number[])[] = []
        const waiting: { n: number; resolve: () => void }[] = []
        let done = false
        const wake = () => {
          for (const w of [...waiting])
            if (done || drawn.length >= w.n) {
              waiting.splice(waiting.indexOf(w), 1)
              w.resolve()
            }
        }
        const a: Answer = {
          startBeat,
          frames,
          drawn,
          velocity: Math.round(notes.reduce((s, n) => s + n.velocity, 0) / Math.max(1, notes.length)),
          cancelled: false,
          committed: false,
          played: 0,
          waitFor: (n) =>
            done || drawn.length >= n
              ? Promise.resolve()
              : new Promise((resolve) => waiting.push({ n, resolve })),
        }
        p.listener
          .draw(
            assumed,
            frames,
            {
              bias,
              temperature: parameters.temperature,
              random: ctx.fork(answers++),
              // An answer that starts with a rest sounds like no answer: its first frame is drawn again if empty.
              weight: (frame, before) =>
                continuationWeight(frame, before, CONTINUE_WEIGHTS) *
                (before.length === firstDraw && frame.length === 0 ? 0.02 : 1),
              cancelled: () => a.cancelled,
            },
            (frame) => {
              if (a.cancelled) return false
              drawn.push(frame.map((k) => k + KEY_MIN))
              wake()
              return true
            },
          )
          .catch(() => {
            // A stopped jam: what was drawn stays; nothing more will be.
          })
          .finally(() => {
            done = true
            wake()
          })
        return a
      }

      /** The answer's notes starting in the window: each frame's new pitches, held while they repeat. */
      function answerNotes(a: Answer, window: LiveWindow): LiveNote[] {
        const notes: LiveNote[] = []
        for (let i = a.played; i < a.drawn.length; i++) {
          const beat = a.startBeat + i * fb
          if (beat >= window.toBeat) break
          a.played = i + 1
          if (beat < window.fromBeat) continue
          const before = new Set(a.drawn[i - 1] ?? [])
          for (const pitch of a.drawn[i] ?? []) {
            if (before.has(pitch)) continue
            let end = i + 1
            while (end < a.drawn.length && a.drawn[end]?.includes(pitch)) end++
            notes.push({ pitch, beat, durationBeats: (end - i) * fb, velocity: a.velocity })
          }
        }
        return notes
      }

      return {
        hear(events) {
          heard.hear(events)
          const ons = events.filter((e) => e.type === 'on')
          if (ons.length === 0 || !answer) return
          // The player plays again: a drawn answer is dropped (the phrase goes on); a playing one stops, and
          // what the player plays is the next phrase.
          answer.cancelled = true
          if (answer.committed) {
            phraseFrom = Math.min(...ons.map((e) => e.beat))
            phrase = null
          }
          answer = null
        },
        async plan(window) {
          if (!answer?.committed) listen(window.nowBeat)
          const end = heard.silentSince()
          if (!answer) {
            if (!phrase || end === null || end < phrase.fromBeat) return []
            // The host asks `toBeat - nowBeat` ahead: the first frame it can still be given once the gap is heard.
            const lookahead = window.toBeat - window.nowBeat
            answer = startAnswer(phrase, end, Math.ceil((end + parameters.gap + lookahead) / fb - 1e-9) * fb)
          }
          const a = answer
          if (!a.committed) {
            if (end === null || window.nowBeat - end < parameters.gap) return []
            a.committed = true
          }
          const framesInWindow = Math.min(a.frames, Math.ceil((window.toBeat - a.startBeat) / fb - 1e-9))
          if (framesInWindow <= 0) return []
          await a.waitFor(framesInWindow)
          const notes = answerNotes(a, window)
          if (a.played >= a.frames) {
            // Answered: the next phrase begins after this answer.
            answer = null
            phrase = null
            phraseFrom = a.startBeat + a.frames * fb
          }
          return notes
        },
      }
    },
  })
}
