import { defineLivePlugin, type LiveNote, type LivePlugin, PPQ } from '@ensemble/core/plugin'
import { NEVER } from '../common/step-runtime.js'
import { DRUM_CLASSES } from '../drums/data.js'
import {
  DRUM_PRIMERS,
  DRUM_STYLE_PARAMETER,
  DRUMS_DENSITY_CALIBRATION,
  meanCalibration,
} from '../drums/styles.js'
import { HeardNotes } from './heard.js'
import { ListeningRoll } from './listening-roll.js'
import type { PartnerModel } from './partner-model.js'

export const DRUMMER_ID = 'studio.ensemble.live.drummer'

/** The drums model's grid: 16ths, four to a beat. */
const STEPS_PER_BEAT = 4
/** How far back the player's density and loudness are measured, in beats: short, so the drums follow within a bar. */
const LISTEN_BEATS = 2
/**
 * The model hears its own last bars and keeps their groove, so a new density alone takes two or three bars
 * to come through. The offset therefore leads: it adds `LEAD` times the gap between the new density and
 * the one the drums have been playing (a moving average over `LEAD_BEATS`), in logits. Chosen on the test's
 * sparse/dense/sparse performance so the first bar after a change plays most of the new density; the average
 * went from 4 beats to 3 when the host's lookahead grew from 0.25 to 0.375 beat (core's LIVE_HOST_LOOP), which
 * hears a change an eighth of a beat later, and the lead from 1.5 to 1.75 when the Drums model's calibration
 * became one offset per 16th (this window uses their mean, 0.14 logits against 0.13 before): at 1.5 the first
 * dense bar cleared the test's bar by 0.3 hits, at 1.75 by 4.
 */
const LEAD = 1.75
const LEAD_BEATS = 3
const logit = (d: number): number => Math.log(d / (1 - d))
/** The Drums model's per-16th calibration averaged: a window takes one bias for all its steps. */
const MEAN_CALIBRATION = meanCalibration(DRUMS_DENSITY_CALIBRATION)

/**
 * The drums' density (the Drums generator's 0..1, 0.5 = the drummers' own) for the player's onsets per
 * beat: a held chord a bar (0.25/beat) gets sparse drums, quarters 0.35, 8ths 0.55, 16ths 0.85. Chosen by
 * ear against the model's calibration; the test checks that a change of density is followed within a bar.
 */
export function densityFor(onsetsPerBeat: number): number {
  return Math.min(0.9, Math.max(0.1, 0.15 + 0.2 * onsetsPerBeat))
}

/**
 * Drummer: drums from the Groove MIDI model that follow the player's density and energy. Every 16th is one
 * model step drawn just ahead of the music with the density of what the player played in the last two beats
 * (a logit offset, as the Drums generator's density) and the player's loudness as velocity; the drummer
 * hears its own drums, so the groove continues from the style's primer bar on. Browser-safe: the model's
 * shape and pinned asset are given (see partner-model.ts).
 */
export function drummerPlugin({ shape, asset }: PartnerModel): LivePlugin {
  return defineLivePlugin({
    manifest: {
      id: DRUMMER_ID,
      name: 'Drummer',
      version: '1.1.0',
      hostApi: '^1.0.0',
      kind: 'live',
      description:
        'Plays drums that follow how densely and how loudly the player plays (Groove MIDI model, Magenta, CC BY 4.0).',
      author: 'Ensemble',
      licence: 'MIT',
      trackKinds: ['drums'],
      parameters: [
        DRUM_STYLE_PARAMETER,
        {
          id: 'temperature',
          type: 'float',
          label: 'Temperature',
          min: 0,
          max: 1.5,
          default: 0.9,
          step: 0.05,
        },
      ],
      assets: [asset],
      capabilities: ['models', 'theory'],
    },
    start(input, ctx) {
      const { song, parameters } = input
      const barSteps = Math.max(
        1,
        Math.round((ctx.theory.ticksPerBar(song.timeSignature) / PPQ) * STEPS_PER_BEAT),
      )
      const heard = new HeardNotes()
      const random = ctx.fork(0)
      const primer = DRUM_PRIMERS[parameters.style]
      /** Absolute 16th of the roll's first frame (the primer bar, placed just before the drums begin). */
      let firstStep: number | null = null
      let roll: ListeningRoll | null = null
      /** Next absolute 16th to draw. */
      let nextStep = 0
      /** The density the drums have been playing, in logits, averaged over about LEAD_BEATS. */
      let playing: number | null = null

      function begin(step: number): ListeningRoll {
        firstStep = step - primer.length
        const r = new ListeningRoll(ctx, 'drums', shape, (index) => {
          const abs = (firstStep ?? 0) + index
          return (((abs % barSteps) + barSteps) % barSteps) % shape.extra
        })
        for (const frame of primer) r.feed(frame).catch(() => undefined)
        nextStep = step
        return r
      }

      return {
        hear(events) {
          heard.hear(events)
        },
        async plan(window) {
          roll ??= begin(Math.ceil(window.fromBeat * STEPS_PER_BEAT - 1e-9))
          const until = Math.ceil(window.toBeat * STEPS_PER_BEAT - 1e-9)
          if (until <= nextStep) return []
          const played = heard.startedIn(window.nowBeat - LISTEN_BEATS, window.nowBeat)
          const d = densityFor(played.length / LISTEN_BEATS)
          const target = logit(d)
          playing ??= target
          const offset = target + LEAD * (target - playing) + MEAN_CALIBRATION
          playing += (target - playing) * Math.min(1, (until - nextStep) / STEPS_PER_BEAT / LEAD_BEATS)
          const bias = DRUM_CLASSES.map((_, k) => (k < shape.outputs ? offset : NEVER))
          const energy = played.length > 0 ? played.reduce((s, n) => s + n.velocity, 0) / played.length : 70
          const from = nextStep
          const notes: LiveNote[] = []
          await roll.draw(
            [],
            until - from,
            { bias, temperature: parameters.temperature, random, keep: true },
            (frame, i) => {
              const step = from + i
              for (const k of frame)
                notes.push({
                  pitch: DRUM_CLASSES[k]?.pitches[0] ?? 36,
                  beat: step / STEPS_PER_BEAT,
                  durationBeats: 1 / STEPS_PER_BEAT,
                  // Accents on the beat, as the model has no velocity output.
                  velocity: Math.round(
                    Math.min(127, Math.max(1, step % STEPS_PER_BEAT === 0 ? energy + 15 : energy - 5)),
                  ),
                })
              return true
            },
          )
          nextStep = until
          return notes.filter((n) => n.beat >= window.fromBeat && n.beat < window.toBeat)
        },
      }
    },
  })
}
