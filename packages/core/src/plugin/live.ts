import { z } from 'zod'
import { createPluginContext, type ModelRunner, type PluginContext } from './context'
import type { ManifestDeclaration } from './define'
import { issuesFromZod, PluginError } from './errors'
import { SongContextSchema } from './input'
import { type PluginManifest, type PluginManifestInput, parseManifest } from './manifest'
import type { ParametersOf, ParameterValues } from './parameters'
import { resolveParameters } from './parameters'

/*
 * The live plugin kind: an AI partner that plays along. A generator answers one request with a window of
 * ticks; a partner lives for a whole jam. It hears a stream of timed note events (what a player plays, in
 * musical time) and is asked, window by window just ahead of the music, for the notes it plays next. The
 * host schedules those notes on the partner's own track; a window's notes must be ready before the window
 * starts sounding, so every `plan` call carries its deadline and a late answer is dropped, never played late.
 *
 * Time is in beats (quarter notes) from the start of the jam's playback, floats, because live playing is
 * not on a grid; `bpm` turns beats into the host's milliseconds.
 */

/** 24 hours of 400 bpm: a ceiling for the wire format, far beyond any jam. */
export const MAX_LIVE_BEAT = 400 * 60 * 24
/** Events handed over in one `hear` call; a player's burst is far smaller (the jam rate-limits note events). */
export const MAX_LIVE_EVENTS = 512
/** Notes one `plan` window may return: a dense drum beat is ~10 a beat. */
export const MAX_LIVE_NOTES = 256
/** The longest window a host asks for at once, in beats. */
export const MAX_LIVE_WINDOW_BEATS = 16

/**
 * The host's loop (host-loop.ts: the partner worker's, the studio page's and the rehearsal clock's): every
 * `tickBeats` it asks for the notes up to `lookaheadBeats` ahead, each window due `marginMs` before it sounds.
 * A window is asked about `lookaheadBeats - tickBeats` before it starts: at 0.375 and 1/8 beat that is 125 ms
 * at 120 bpm (115 ms to plan, the reply's trip from a worker included). At 0.25 it was 52 ms, and in the
 * studio under load a worker partner missed windows (docs/BENCHMARKS.md "AI partner in the studio"). A
 * longer lookahead makes the answer later by as much: call and response ends a phrase on a 0.125-beat
 * silence to keep its first note within one beat of the phrase's end.
 */
export const LIVE_HOST_LOOP = { lookaheadBeats: 0.375, tickBeats: 0.125, marginMs: 10 } as const

const beat = z.number().min(0).max(MAX_LIVE_BEAT)

/** One thing a player did: a key went down (`on`, with its velocity) or came up (`off`). */
export const LiveNoteEventSchema = z.strictObject({
  type: z.enum(['on', 'off']),
  pitch: z.int().min(0).max(127),
  velocity: z.int().min(0).max(127),
  beat,
})
export type LiveNoteEvent = z.infer<typeof LiveNoteEventSchema>

/**
 * A stretch of beats the host asks the partner to fill: `[fromBeat, toBeat)`. `nowBeat` is where the music
 * is as the host asks (before `fromBeat`); `deadlineMs` is how long the partner has, the time until
 * `fromBeat` sounds less the host's scheduling margin.
 */
export const LiveWindowSchema = z
  .strictObject({ nowBeat: beat, fromBeat: beat, toBeat: beat, deadlineMs: z.number().min(0).max(60_000) })
  .refine((w) => w.nowBeat <= w.fromBeat, {
    message: 'nowBeat must not be after fromBeat',
    path: ['nowBeat'],
  })
  .refine((w) => w.toBeat > w.fromBeat && w.toBeat - w.fromBeat <= MAX_LIVE_WINDOW_BEATS, {
    message: `toBeat must be after fromBeat, by at most ${MAX_LIVE_WINDOW_BEATS} beats`,
    path: ['toBeat'],
  })
export type LiveWindow = z.infer<typeof LiveWindowSchema>

/** A note the partner plays: absolute beats, like the events it hears. */
export const LiveNoteSchema = z.strictObject({
  pitch: z.int().min(0).max(127),
  beat,
  durationBeats: z.number().positive().max(MAX_LIVE_WINDOW_BEATS),
  velocity: z.int().min(1).max(127),
})
export type LiveNote = z.infer<typeof LiveNoteSchema>

/** What the partner is given when a jam starts: the song's tempo, metre and key, and its parameters. */
export const LiveStartSchema = z.strictObject({
  song: SongContextSchema,
  parameters: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  seed: z.int().min(0).max(0xffff_ffff),
})
export type LiveStart = z.infer<typeof LiveStartSchema>

/** A partner's state for one jam, as its author writes it. */
export interface LivePartnerSession {
  /** The followed player's events, in the order they were played. Must return quickly: no model calls. */
  hear(events: readonly LiveNoteEvent[]): void
  /** The notes to play in `window` (starting in it; they may ring past its end). */
  plan(window: LiveWindow): LiveNote[] | Promise<LiveNote[]>
}

export type LiveStartInput<P = ParameterValues> = Omit<LiveStart, 'parameters'> & { parameters: P }

export interface LivePluginDefinition<M extends ManifestDeclaration> {
  manifest: M
  start(input: LiveStartInput<ParametersOf<M>>, ctx: PluginContext): LivePartnerSession
}

/** A live plugin as a host holds it; `start` returns `unknown` pieces a host checks (see `startLive`). */
export interface LivePlugin {
  readonly manifest: PluginManifest
  start(input: LiveStartInput, ctx: PluginContext): LivePartnerSession
}

export function defineLivePlugin<const M extends ManifestDeclaration & { kind: 'live' }>(
  definition: LivePluginDefinition<M>,
): LivePlugin {
  const manifest = Object.freeze(parseManifest(definition.manifest as PluginManifestInput))
  const start = definition.start as LivePlugin['start']
  return Object.freeze({ manifest, start: (input: LiveStartInput, ctx: PluginContext) => start(input, ctx) })
}

/** One partner running for one jam, behind the host's checks. */
export interface LiveRun {
  hear(events: readonly LiveNoteEvent[]): void
  /**
   * The notes for `window`, checked: in `[fromBeat, toBeat)`, at most MAX_LIVE_NOTES. Resolves to `late`
   * instead when the partner missed the window's deadline (its notes would sound late, so none are played).
   */
  plan(window: LiveWindow): Promise<{ notes: LiveNote[]; late: boolean }>
  stop(): void
}

export interface LiveRunOptions {
  models?: ModelRunner
  now?: () => number
}

function invalid(code: 'invalid_input' | 'invalid_output', error: z.ZodError, what: string): PluginError {
  return new PluginError(code, issuesFromZod(error), what)
}

const eventsSchema = z.array(LiveNoteEventSchema).max(MAX_LIVE_EVENTS)
const notesSchema = z.array(LiveNoteSchema).max(MAX_LIVE_NOTES)

/**
 * Starts a live plugin as every host does: the start input and each event batch validated, the narrow
 * context (the deadline of each `plan` is its window's), the output checked against the window.
 */
export function startLive(plugin: LivePlugin, rawStart: unknown, options: LiveRunOptions = {}): LiveRun {
  const { manifest } = plugin
  if (manifest.kind !== 'live')
    throw new PluginError(
      'invalid_input',
      [{ path: 'kind', message: `${manifest.id} is a ${manifest.kind}, not a live plugin` }],
      'not a live plugin',
    )
  const parsed = LiveStartSchema.safeParse(rawStart)
  if (!parsed.success) throw invalid('invalid_input', parsed.error, 'invalid live start')
  const start = { ...parsed.data, parameters: resolveParameters(manifest, parsed.data.parameters) }
  const now = options.now ?? Date.now
  let deadlineAt = Number.POSITIVE_INFINITY
  const run = createPluginContext({
    manifest,
    seed: start.seed,
    models: options.models,
    // The context asks for this on every timeLeftMs(): the current window's deadline.
    get deadlineAt() {
      return deadlineAt
    },
    now,
  })
  const session = plugin.start(structuredClone(start), run.ctx)
  let stopped = false
  return {
    hear(events) {
      if (stopped) return
      const checked = eventsSchema.safeParse(events)
      if (!checked.success) throw invalid('invalid_input', checked.error, 'invalid live events')
      session.hear(checked.data)
    },
    async plan(rawWindow) {
      const checkedWindow = LiveWindowSchema.safeParse(rawWindow)
      if (!checkedWindow.success) throw invalid('invalid_input', checkedWindow.error, 'invalid live window')
      const window = checkedWindow.data
      if (stopped) return { notes: [], late: false }
      deadlineAt = now() + window.deadlineMs
      const myDeadline = deadlineAt
      let raw: unknown
      try {
        raw = await session.plan({ ...window })
      } catch (err) {
        if (err instanceof PluginError) throw err
        const message = err instanceof Error ? err.message : String(err)
        throw new PluginError('plugin_failed', [{ path: '', message }], `${manifest.id} failed`)
      }
      // Judged after the fact: a partner cannot be interrupted mid-step, but its late notes never sound.
      if (now() > myDeadline) return { notes: [], late: true }
      const notes = notesSchema.safeParse(raw)
      if (!notes.success) throw invalid('invalid_output', notes.error, 'invalid live output')
      const outside = notes.data.findIndex((n) => n.beat < window.fromBeat || n.beat >= window.toBeat)
      if (outside >= 0)
        throw new PluginError(
          'invalid_output',
          [
            {
              path: `${outside}.beat`,
              message: `starts at beat ${notes.data[outside]?.beat}, outside [${window.fromBeat}, ${window.toBeat})`,
            },
          ],
          'invalid live output',
        )
      return { notes: notes.data, late: false }
    },
    stop() {
      stopped = true
      run.close()
    },
  }
}
