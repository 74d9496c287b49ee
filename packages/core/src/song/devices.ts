/*
 * Insert chains: the effects on a track, a bus or the master, in order. Every operation is one transaction,
 * validated against the effect catalogue first, so a refused edit changes nothing.
 */
import type * as Y from 'yjs'
import { z } from 'zod'
import type { ParameterValue } from '../plugin/parameters'
import { SongError } from './errors'
import { newId } from './ids'
import { placeAmong } from './order'
import type { EditOrigin } from './origins'
import { type Device, DeviceFieldsSchema, DeviceSchema, MAX_CHAIN_DEVICES } from './schema'
import {
  chainOf,
  commit,
  createDeviceMap,
  deleteAttached,
  devicesMap,
  paramsOf,
  parse,
  readDeviceFields,
  requireChainOwner,
  requireDevice,
} from './ydoc'

const AddDeviceInput = DeviceFieldsSchema.pick({ kind: true }).extend({
  /** Position in the chain; default is the end. */
  index: z.int().min(0).optional(),
  bypass: z.boolean().optional(),
  /** Parameters that differ from the defaults. */
  params: DeviceFieldsSchema.shape.params.optional(),
})
export type AddDeviceInput = z.input<typeof AddDeviceInput>

/** Refuses a chain that would pass MAX_CHAIN_DEVICES, naming the limit. */
export const checkChainRoom = (doc: Y.Doc, owner: string, adding: number): void => {
  const count = chainOf(doc, owner).length
  if (count + adding > MAX_CHAIN_DEVICES)
    throw new SongError(
      'too_many',
      `A chain holds at most ${MAX_CHAIN_DEVICES} devices (this one has ${count}, adding ${adding})`,
    )
}

const applyRekey = (doc: Y.Doc, rekey: ReadonlyMap<string, string>): void => {
  for (const [id, key] of rekey) devicesMap(doc).get(id)?.set('order', key)
}

/** Adds an effect to `owner`'s chain (a track id, a bus id or MASTER). Returns the device id. */
export const addDevice = (doc: Y.Doc, origin: EditOrigin, owner: string, input: AddDeviceInput): string => {
  requireChainOwner(doc, owner)
  const { index, ...fields } = parse(AddDeviceInput, input, 'device')
  checkChainRoom(doc, owner, 1)
  const placement = placeAmong(chainOf(doc, owner), index, 'Device')
  const device: Device = parse(
    DeviceSchema,
    { bypass: false, params: {}, ...fields, id: newId(), owner, order: placement.keys[0]! },
    'device',
  )
  commit(doc, origin, () => {
    applyRekey(doc, placement.rekey)
    devicesMap(doc).set(device.id, createDeviceMap(device))
  })
  return device.id
}

const ownerOf = (doc: Y.Doc, deviceId: string): string => {
  const owner = requireDevice(doc, deviceId).get('owner')
  if (typeof owner !== 'string') throw new SongError('device_not_found', `Device ${deviceId} has no chain`)
  return owner
}

/** Moves a device to `index` in its chain (the index it will have afterwards). */
export const moveDevice = (doc: Y.Doc, origin: EditOrigin, deviceId: string, index: number): void => {
  const device = requireDevice(doc, deviceId)
  const owner = ownerOf(doc, deviceId)
  const at = parse(z.int().min(0), index, 'device index')
  const placement = placeAmong(
    chainOf(doc, owner).filter((d) => d.id !== deviceId),
    at,
    'Device',
  )
  commit(doc, origin, () => {
    applyRekey(doc, placement.rekey)
    device.set('order', placement.keys[0]!)
  })
}

export const setDeviceBypass = (doc: Y.Doc, origin: EditOrigin, deviceId: string, bypass: boolean): void => {
  const device = requireDevice(doc, deviceId)
  const value = parse(z.boolean(), bypass, 'bypass')
  commit(doc, origin, () => device.set('bypass', value))
}

/**
 * Sets some of a device's parameters in one transaction (one undo step): each must be a parameter of its
 * effect, with a value inside its declared range.
 */
export const setDeviceParams = (
  doc: Y.Doc,
  origin: EditOrigin,
  deviceId: string,
  values: Readonly<Record<string, ParameterValue>>,
): void => {
  const device = requireDevice(doc, deviceId)
  const params = parse(DeviceFieldsSchema.shape.params, values, 'parameters')
  parse(
    DeviceSchema,
    { ...readDeviceFields(deviceId, device), owner: ownerOf(doc, deviceId), params },
    'parameters',
  )
  commit(doc, origin, () => {
    for (const [id, value] of Object.entries(params)) paramsOf(device).set(id, value)
  })
}

/** Removes devices (and their automation) in one transaction. */
export const removeDevices = (doc: Y.Doc, origin: EditOrigin, deviceIds: readonly string[]): void => {
  if (!Array.isArray(deviceIds)) throw new SongError('invalid_value', 'deviceIds must be an array')
  for (const id of deviceIds) requireDevice(doc, id)
  commit(doc, origin, () => deleteAttached(doc, new Set(), new Set(deviceIds)))
}

export const removeDevice = (doc: Y.Doc, origin: EditOrigin, deviceId: string): void =>
  removeDevices(doc, origin, [deviceId])
