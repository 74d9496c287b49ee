/*
 * Which client writes into the effects and routing maps the server lets through (see client-writes.ts): each
 * value must be what an operation of devices.ts, buses.ts, automation.ts or chain-presets.ts could have
 * written, so a value out of its declared range, a kind that does not exist, or a chain past its limit never
 * reaches the other clients. The check sees one map entry at a time, by its path from the root of the doc.
 * It reads the server doc through the ydoc accessors: a root map a client created before the server ever
 * read it arrives untyped, and `getMap` gives it its type.
 */
import * as Y from 'yjs'
import { parameterProblem } from '../plugin/parameters'
import { targetRange } from './automation'
import { sendId } from './buses'
import { effectParameter, isEffectKind } from './effects/catalogue'
import { instrumentParameter } from './instrument-parameters'
import {
  AutomationPointSchema,
  BusSchema,
  ChainPresetSchema,
  MAX_CHAIN_DEVICES,
  MAX_LANE_POINTS,
  SendSchema,
} from './schema'
import { AUTOMATION, automationMap, BUSES, DEVICES, devicesMap, PRESETS, SENDS } from './ydoc'

export const EFFECT_ROOTS: ReadonlySet<string> = new Set([DEVICES, BUSES, SENDS, AUTOMATION, PRESETS])

/** One map entry a client's update writes: where (root map name, then keys) and what. */
export interface EntryWrite {
  readonly path: readonly string[]
  /** The plain value written, or 'type' for a nested Y type. */
  readonly value: unknown
}

const DEVICE_FIELDS: Record<string, (value: unknown) => boolean> = {
  owner: (v) => typeof v === 'string' && v.length > 0 && v.length <= 64,
  kind: isEffectKind,
  order: (v) => typeof v === 'string' && v.length > 0 && v.length <= 256,
  bypass: (v) => typeof v === 'boolean',
  params: (v) => v === 'type',
}
const BUS_FIELDS = ['name', 'volumeDb', 'pan', 'mute', 'order'] as const

/** The kind a device has after the update: written in it, or already in the doc. */
const deviceKind = (doc: Y.Doc, writes: readonly EntryWrite[], deviceId: string): unknown => {
  const written = writes.find((w) => w.path[0] === DEVICES && w.path[1] === deviceId && w.path[2] === 'kind')
  if (written !== undefined) return written.value
  const stored = devicesMap(doc).get(deviceId)
  return stored instanceof Y.Map ? stored.get('kind') : undefined
}

const validEntry = (doc: Y.Doc, writes: readonly EntryWrite[], { path, value }: EntryWrite): boolean => {
  const [root, id, field, param, ...rest] = path
  if (id === undefined || rest.length > 0) return false
  switch (root) {
    case DEVICES: {
      if (field === undefined) return value === 'type' && param === undefined
      if (param === undefined) {
        if (field === 'kind') {
          const stored = devicesMap(doc).get(id)
          // Written once: a device never turns into another effect (its parameters would not fit).
          if (stored instanceof Y.Map && stored.get('kind') !== undefined && stored.get('kind') !== value)
            return false
        }
        return DEVICE_FIELDS[field]?.(value) ?? false
      }
      if (field !== 'params') return false
      const kind = deviceKind(doc, writes, id)
      const spec = isEffectKind(kind) ? effectParameter(kind, param) : undefined
      return spec !== undefined && parameterProblem(spec, value) === null
    }
    case BUSES: {
      if (param !== undefined) return false
      if (field === undefined) return value === 'type'
      const key = BUS_FIELDS.find((f) => f === field)
      return key !== undefined && BusSchema.shape[key].safeParse(value).success
    }
    case SENDS: {
      const send = SendSchema.safeParse(value)
      return (
        field === undefined &&
        send.success &&
        send.data.id === id &&
        sendId(send.data.from, send.data.to) === id
      )
    }
    case AUTOMATION: {
      const point = AutomationPointSchema.safeParse(value)
      if (field !== undefined || !point.success || point.data.id !== id) return false
      // No instrument ever has a parameter the catalogue lacks: that is never a race with a delete.
      const { target } = point.data
      if (target.kind === 'instrument' && instrumentParameter(target.param) === undefined) return false
      const range = targetRange(doc, point.data.target)
      // A point on a target the server does not have is never read (the readers leave it out); one on a
      // target it has must lie in the target's range.
      return typeof range === 'string' || (point.data.value >= range.min && point.data.value <= range.max)
    }
    case PRESETS: {
      const preset = ChainPresetSchema.safeParse(value)
      return field === undefined && preset.success && preset.data.id === id
    }
    default:
      return false
  }
}

/** Whether the chains and lanes stay within their limits once the update's new entries are added. */
const withinLimits = (doc: Y.Doc, writes: readonly EntryWrite[]): boolean => {
  const added = new Map<string, number>()
  for (const w of writes) {
    if (w.path[0] === DEVICES && w.path[2] === 'owner' && typeof w.value === 'string') {
      const stored = devicesMap(doc).get(w.path[1]!)
      if (stored === undefined) added.set(`device:${w.value}`, (added.get(`device:${w.value}`) ?? 0) + 1)
    }
    if (w.path[0] === AUTOMATION && w.path.length === 2) {
      const point = AutomationPointSchema.safeParse(w.value)
      if (point.success) {
        const key = `lane:${JSON.stringify(point.data.target)}`
        added.set(key, (added.get(key) ?? 0) + 1)
      }
    }
  }
  if (added.size === 0) return true
  const existing = new Map<string, number>()
  for (const device of devicesMap(doc).values()) {
    const key = `device:${String(device.get('owner'))}`
    existing.set(key, (existing.get(key) ?? 0) + 1)
  }
  for (const point of automationMap(doc).values()) {
    const key = `lane:${JSON.stringify((point as { target?: unknown })?.target)}`
    existing.set(key, (existing.get(key) ?? 0) + 1)
  }
  for (const [key, count] of added) {
    const limit = key.startsWith('device:') ? MAX_CHAIN_DEVICES : MAX_LANE_POINTS
    if ((existing.get(key) ?? 0) + count > limit) return false
  }
  return true
}

/** Whether every effects and routing entry of an update may be applied. */
export const effectWritesAllowed = (doc: Y.Doc, writes: readonly EntryWrite[]): boolean =>
  writes.every((w) => validEntry(doc, writes, w)) && withinLimits(doc, writes)
