import { randomInt } from 'node:crypto'
import { readTracks, setKey, setTempo, setTimeSignature, UserOrigin } from '@ensemble/core'
import { MAX_BPM, MIN_BPM, SongKeySchema } from '@ensemble/core/plugin'
import {
  ARCS,
  BACKGROUND_ID,
  BACKGROUND_STYLE_IDS,
  BACKGROUND_TARGET,
  type BackgroundSettings,
  type BackgroundStyle,
  backgroundParameters,
  backgroundRequest,
  lengthSeconds,
  MAX_BARS,
  MAX_SECONDS,
  MIN_SECONDS,
  MOODS,
  planBackground,
} from '@ensemble/plugins/background'
import { z } from 'zod'
import type { Room } from '../collab/room'
import { projectId } from '../projects/inputs'
import type { AuthedContext } from '../trpc/init'
import { aiFailure } from './errors'
import { inferAndPropose, type RunRequest, SUGGEST_DEADLINE_MS, startRun } from './run'

/*
 * The background music maker (`ai.background`): a whole song from a mood, a style, a tempo or "fit", a key
 * or "any", a length, loopable or not and an intensity arc. The plan (packages/plugins/src/background/plan.ts)
 * sets the song's tempo, metre and key; the background plugin, on the inference service like every model,
 * writes the four tracks as one proposal through the same run as a suggestion (./run.ts: audited, sealed,
 * stored before the call answers), and the studio accepts it as the requesting user, so every note carries
 * the run's provenance and the band edits it like any song. It writes a new song: a song that has tracks
 * already is refused, since the plan retimes it.
 */

export const backgroundInput = z.strictObject({
  projectId,
  mood: z.enum(MOODS),
  style: z.enum(BACKGROUND_STYLE_IDS as [BackgroundStyle, ...BackgroundStyle[]]),
  tempo: z.union([z.literal('fit'), z.number().min(MIN_BPM).max(MAX_BPM)]),
  key: z.union([z.literal('any'), SongKeySchema]),
  length: z.union([
    z.strictObject({ seconds: z.number().min(MIN_SECONDS).max(MAX_SECONDS) }),
    z.strictObject({ bars: z.int().min(1).max(MAX_BARS) }),
  ]),
  loop: z.boolean(),
  arc: z.enum(ARCS),
  /** Unsigned 32-bit; left out, the server draws one (and returns it, so the run can be repeated). */
  seed: z.int().min(0).max(0xffff_ffff).optional(),
})
export type BackgroundRequest = z.output<typeof backgroundInput>

/** On the song's room (held by the caller): plan, set the song's tempo, metre and key, run the maker. */
export async function makeBackground(ctx: AuthedContext, room: Room, input: BackgroundRequest) {
  const { projectId: _, seed: asked, ...settings } = input
  const seed = asked ?? randomInt(0, 0x1_0000_0000)
  const planned = planBackground(settings satisfies BackgroundSettings, seed)
  const parameters = backgroundParameters(settings)
  const run: RunRequest = {
    projectId: input.projectId,
    trackId: BACKGROUND_TARGET,
    fromTick: 0,
    toTick: planned.lengthTicks,
    pluginId: BACKGROUND_ID,
    version: '*',
    parameters,
    variations: 1,
  }
  const record = startRun(ctx, run, seed)
  if (readTracks(room.doc).length > 0) {
    const failure = aiFailure(
      'bad_request',
      'song_not_empty',
      'BAD_REQUEST',
      'The background maker writes a new song; this one has tracks already. Start a new song for it.',
    )
    await record.audit(failure.outcome, run.version, null)
    throw failure.error
  }
  const user = new UserOrigin(ctx.user.id)
  room.commitServerEdit(user, (doc) => {
    setTempo(doc, user, planned.bpm)
    setTimeSignature(doc, user, planned.timeSignature)
    setKey(doc, user, planned.key)
  })
  const request = backgroundRequest(settings, planned, {
    trackId: BACKGROUND_TARGET,
    seed,
    deadlineMs: SUGGEST_DEADLINE_MS,
  })
  const ran = await inferAndPropose(ctx, room, run, record, { thirdParty: false }, request)
  return {
    ...ran,
    seed,
    song: {
      bpm: planned.bpm,
      key: planned.key,
      lengthTicks: planned.lengthTicks,
      seconds: lengthSeconds(planned),
      fit: planned.fit,
    },
  }
}
