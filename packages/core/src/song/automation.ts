/*
 * Automation lanes: breakpoints that move a fader, a pan, a send level, an effect or instrument parameter over the song
 * timeline. Points are immutable values keyed by their own id (an edit replaces the whole point), so two users
 * drawing in one lane both keep their points and a lane never has to be created.
 *
 * Track automation, not clip automation: points sit on the song timeline, not inside clips. The parameters
 * they move belong to the track's channel and devices, not to any clip; one lane spans clips of both kinds and
 * the gaps between them (a filter opening over eight bars across three clips); and a clip moved between
 * tracks is re-created under a new id, which would strand clip-owned points. See docs/ARCHITECTURE.md.
 */
import type * as Y from 'yjs'
import { z } from 'zod'
import { effectParameter } from './effects/catalogue'
import { SongError } from './errors'
import { newId } from './ids'
import { instrumentParameter } from './instrument-parameters'
import type { EditOrigin } from './origins'
import {
  type AutomationCurve,
  AutomationCurveSchema,
  type AutomationPoint,
  AutomationPointSchema,
  type AutomationTarget,
  AutomationTargetSchema,
  MAX_LANE_POINTS,
  MAX_VOLUME_DB,
  MIN_VOLUME_DB,
} from './schema'
import {
  automationMap,
  busesMap,
  commit,
  devicesMap,
  parse,
  readDeviceFields,
  sendsMap,
  tracksMap,
} from './ydoc'

/** One string per lane: points with equal keys are one lane. */
export const laneKey = (target: AutomationTarget): string => {
  switch (target.kind) {
    case 'volume':
    case 'pan':
      return `${target.kind}:${target.owner}`
    case 'send':
      return `send:${target.send}`
    case 'device':
      return `device:${target.device}:${target.param}`
    case 'instrument':
      return `instrument:${target.track}:${target.param}`
  }
}

export interface TargetRange {
  readonly min: number
  readonly max: number
}

/**
 * The range a target's values must lie in, or why it cannot be automated (in words). Reads the doc: the
 * target must exist, and a device parameter must be numeric (a choice or switch has no curve to draw).
 */
export const targetRange = (doc: Y.Doc, target: AutomationTarget): TargetRange | string => {
  switch (target.kind) {
    case 'volume':
    case 'pan': {
      if (!tracksMap(doc).has(target.owner) && !busesMap(doc).has(target.owner))
        return `no track or bus with id ${target.owner}`
      return target.kind === 'volume' ? { min: MIN_VOLUME_DB, max: MAX_VOLUME_DB } : { min: -1, max: 1 }
    }
    case 'send':
      return sendsMap(doc).has(target.send)
        ? { min: MIN_VOLUME_DB, max: MAX_VOLUME_DB }
        : `no send with id ${target.send}`
    case 'device': {
      const device = devicesMap(doc).get(target.device)
      if (device === undefined) return `no device with id ${target.device}`
      const spec = effectParameter(readDeviceFields(target.device, device).kind, target.param)
      if (spec === undefined) return `the device has no parameter ${target.param}`
      if (spec.type !== 'float' && spec.type !== 'int')
        return `${spec.label} is not a number and cannot be automated`
      return { min: spec.min, max: spec.max }
    }
    case 'instrument': {
      const track = tracksMap(doc).get(target.track)
      if (track === undefined) return `no track with id ${target.track}`
      if (track.get('kind') === 'audio') return 'an audio track has no instrument'
      const spec = instrumentParameter(target.param)
      if (spec === undefined) return `an instrument has no parameter ${target.param}`
      return { min: spec.min, max: spec.max }
    }
  }
}

const requireRange = (doc: Y.Doc, target: AutomationTarget): TargetRange => {
  const range = targetRange(doc, target)
  if (typeof range === 'string') throw new SongError('invalid_value', `Cannot automate this: ${range}`)
  return range
}

const PointInput = z.strictObject({
  tick: AutomationPointSchema.shape.tick,
  value: z.number(),
  curve: AutomationCurveSchema.optional(),
})
export type AutomationPointInput = z.input<typeof PointInput>

const lanePoints = (doc: Y.Doc, key: string): AutomationPoint[] =>
  [...automationMap(doc).values()].filter((p) => p?.target !== undefined && laneKey(p.target) === key)

const checkValue = (range: TargetRange, value: number): void => {
  if (!Number.isFinite(value) || value < range.min || value > range.max)
    throw new SongError('out_of_range', `Automation value ${value} is outside ${range.min}..${range.max}`)
}

const checkRoom = (doc: Y.Doc, target: AutomationTarget, adding: number): void => {
  const count = lanePoints(doc, laneKey(target)).length
  if (count + adding > MAX_LANE_POINTS)
    throw new SongError(
      'too_many',
      `An automation lane holds at most ${MAX_LANE_POINTS} points (this one has ${count}, adding ${adding})`,
    )
}

/** Adds breakpoints to a lane in one transaction. Returns their ids in input order. */
export const addAutomationPoints = (
  doc: Y.Doc,
  origin: EditOrigin,
  target: AutomationTarget,
  points: readonly AutomationPointInput[],
): string[] => {
  const lane = parse(AutomationTargetSchema, target, 'automation target')
  // Counted before anything is parsed, so a huge drawing is refused at once.
  if (Array.isArray(points) && points.length > MAX_LANE_POINTS)
    throw new SongError(
      'too_many',
      `An automation lane holds at most ${MAX_LANE_POINTS} points; ${points.length} were drawn`,
    )
  const inputs = parse(z.array(PointInput).max(MAX_LANE_POINTS), points, 'automation points')
  const range = requireRange(doc, lane)
  checkRoom(doc, lane, inputs.length)
  const made = inputs.map((p) => {
    checkValue(range, p.value)
    return parse(
      AutomationPointSchema,
      { id: newId(), target: lane, tick: p.tick, value: p.value, curve: p.curve ?? 'linear' },
      'automation point',
    )
  })
  commit(doc, origin, () => {
    for (const point of made) automationMap(doc).set(point.id, point)
  })
  return made.map((p) => p.id)
}

export interface AutomationPointPatch {
  readonly id: string
  readonly tick?: number
  readonly value?: number
  readonly curve?: AutomationCurve
}

const PatchSchema = z.strictObject({
  id: z.string(),
  tick: AutomationPointSchema.shape.tick.optional(),
  value: z.number().optional(),
  curve: AutomationCurveSchema.optional(),
})

/** Moves or reshapes points (each replaced whole) in one transaction. */
export const updateAutomationPoints = (
  doc: Y.Doc,
  origin: EditOrigin,
  patches: readonly AutomationPointPatch[],
): void => {
  const parsed = parse(z.array(PatchSchema).max(MAX_LANE_POINTS), patches, 'automation edits')
  const next = parsed.map(({ id, ...patch }) => {
    const point = automationMap(doc).get(id)
    if (point === undefined) throw new SongError('invalid_value', `No automation point with id ${id}`)
    const updated = parse(AutomationPointSchema, { ...point, ...patch }, 'automation point')
    checkValue(requireRange(doc, updated.target), updated.value)
    return updated
  })
  commit(doc, origin, () => {
    for (const point of next) automationMap(doc).set(point.id, point)
  })
}

export const deleteAutomationPoints = (doc: Y.Doc, origin: EditOrigin, ids: readonly string[]): void => {
  if (!Array.isArray(ids)) throw new SongError('invalid_value', 'ids must be an array')
  for (const id of ids)
    if (!automationMap(doc).has(id)) throw new SongError('invalid_value', `No automation point with id ${id}`)
  commit(doc, origin, () => {
    for (const id of ids) automationMap(doc).delete(id)
  })
}

/** Deletes every point of a lane. */
export const clearAutomation = (doc: Y.Doc, origin: EditOrigin, target: AutomationTarget): void => {
  const lane = parse(AutomationTargetSchema, target, 'automation target')
  const ids = lanePoints(doc, laneKey(lane)).map((p) => p.id)
  commit(doc, origin, () => {
    for (const id of ids) automationMap(doc).delete(id)
  })
}
