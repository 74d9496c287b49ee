/*
 * Chain presets: a chain saved in the project (its devices' kinds, bypass switches and parameters) and
 * applied to any track, bus or the master, plus the factory presets every project has. Applying replaces the
 * chain's devices with fresh ones in one transaction (one undo step brings the old chain back).
 */
import { generateNKeysBetween } from 'fractional-indexing'
import type * as Y from 'yjs'
import { FACTORY_PRESETS } from './effects/factory-presets'
import { SongError } from './errors'
import { newId } from './ids'
import type { EditOrigin } from './origins'
import {
  type ChainPreset,
  ChainPresetSchema,
  type Device,
  DeviceSchema,
  MAX_CHAIN_PRESETS,
  type PresetDevice,
} from './schema'
import {
  chainOf,
  commit,
  createDeviceMap,
  deleteAttached,
  devicesMap,
  parse,
  presetsMap,
  requireChainOwner,
} from './ydoc'

/** Saves `owner`'s chain as a project preset named `name`. Returns the preset id. */
export const saveChainPreset = (doc: Y.Doc, origin: EditOrigin, owner: string, name: string): string => {
  requireChainOwner(doc, owner)
  if (presetsMap(doc).size >= MAX_CHAIN_PRESETS)
    throw new SongError('too_many', `A project keeps at most ${MAX_CHAIN_PRESETS} chain presets`)
  const devices: PresetDevice[] = chainOf(doc, owner).map((d) => ({
    kind: d.kind,
    bypass: d.bypass,
    params: { ...d.params },
  }))
  const preset = parse(ChainPresetSchema, { id: newId(), name, devices }, 'chain preset')
  commit(doc, origin, () => presetsMap(doc).set(preset.id, preset))
  return preset.id
}

export const deleteChainPreset = (doc: Y.Doc, origin: EditOrigin, presetId: string): void => {
  if (!presetsMap(doc).has(presetId)) throw new SongError('preset_not_found', `No chain preset ${presetId}`)
  commit(doc, origin, () => presetsMap(doc).delete(presetId))
}

const presetDevices = (doc: Y.Doc, presetId: string): readonly PresetDevice[] => {
  const saved: ChainPreset | undefined =
    typeof presetId === 'string' ? presetsMap(doc).get(presetId) : undefined
  if (saved !== undefined) return parse(ChainPresetSchema, saved, 'chain preset').devices
  const factory = FACTORY_PRESETS.find((p) => p.id === presetId)
  if (factory === undefined) throw new SongError('preset_not_found', `No chain preset ${String(presetId)}`)
  return factory.devices.map((d) => ({ kind: d.kind, bypass: false, params: d.params }))
}

/**
 * Replaces `owner`'s chain with the preset's devices (a project preset's id or a factory preset's). The old
 * devices go with their automation; the new ones get new ids. Returns the new device ids in chain order.
 */
export const applyChainPreset = (
  doc: Y.Doc,
  origin: EditOrigin,
  owner: string,
  presetId: string,
): string[] => {
  requireChainOwner(doc, owner)
  const source = presetDevices(doc, presetId)
  const keys = generateNKeysBetween(null, null, source.length)
  const devices: Device[] = source.map((d, i) =>
    parse(DeviceSchema, { ...d, id: newId(), owner, order: keys[i]! }, 'preset device'),
  )
  const old = new Set(chainOf(doc, owner).map((d) => d.id))
  commit(doc, origin, () => {
    deleteAttached(doc, new Set(), old)
    for (const device of devices) devicesMap(doc).set(device.id, createDeviceMap(device))
  })
  return devices.map((d) => d.id)
}
