/*
 * Buses (return tracks) and the sends that feed them. A bus has a fader like a track's and a chain of its
 * own (devices owned by its id); a send carries a track's signal to a bus, before or after the track fader.
 */
import type * as Y from 'yjs'
import { z } from 'zod'
import { SongError } from './errors'
import { newId } from './ids'
import { placeAmong } from './order'
import type { EditOrigin } from './origins'
import { type Bus, BusSchema, MAX_BUSES, type Send, SendSchema } from './schema'
import {
  busesMap,
  commit,
  compareOrdered,
  createBusMap,
  deleteAttached,
  parse,
  readBusFields,
  requireBus,
  requireTrack,
  sendsMap,
} from './ydoc'

const AddBusInput = BusSchema.omit({ id: true, order: true })
  .partial()
  .extend({ index: z.int().min(0).optional() })
export type AddBusInput = z.input<typeof AddBusInput>

const orderedBuses = (doc: Y.Doc): Bus[] =>
  [...busesMap(doc).entries()].map(([id, y]) => readBusFields(id, y)).sort(compareOrdered)

export const addBus = (doc: Y.Doc, origin: EditOrigin, input: AddBusInput = {}): string => {
  const { index, ...fields } = parse(AddBusInput, input, 'bus')
  const buses = orderedBuses(doc)
  if (buses.length >= MAX_BUSES) throw new SongError('too_many', `A song has at most ${MAX_BUSES} buses`)
  const placement = placeAmong(buses, index, 'Bus')
  const bus = parse(
    BusSchema,
    {
      name: `Bus ${String.fromCharCode(65 + (buses.length % 26))}`,
      volumeDb: 0,
      pan: 0,
      mute: false,
      ...fields,
      id: newId(),
      order: placement.keys[0]!,
    },
    'bus',
  )
  commit(doc, origin, () => {
    for (const [id, key] of placement.rekey) busesMap(doc).get(id)?.set('order', key)
    busesMap(doc).set(bus.id, createBusMap(bus))
  })
  return bus.id
}

/** Deletes a bus with its chain, the sends into it and their automation, in one transaction. */
export const deleteBus = (doc: Y.Doc, origin: EditOrigin, busId: string): void => {
  requireBus(doc, busId)
  commit(doc, origin, () => {
    deleteAttached(doc, new Set([busId]))
    busesMap(doc).delete(busId)
  })
}

type BusField = 'name' | 'volumeDb' | 'pan' | 'mute'

/** Sets one field of a bus (its name, or its fader: volume in dB, pan, mute). */
export const setBusField = <K extends BusField>(
  doc: Y.Doc,
  origin: EditOrigin,
  busId: string,
  field: K,
  value: Bus[K],
): void => {
  const bus = requireBus(doc, busId)
  if (!['name', 'volumeDb', 'pan', 'mute'].includes(field))
    throw new SongError('invalid_value', `A bus has no field ${String(field)}`)
  const parsed = parse(BusSchema.shape[field], value, field)
  commit(doc, origin, () => bus.set(field, parsed))
}

/** The id of the send from a track to a bus: one per pair, so two users adding it at once make one send. */
export const sendId = (from: string, to: string): string => `${from}>${to}`

const SetSendInput = SendSchema.pick({ from: true, to: true }).extend({
  levelDb: SendSchema.shape.levelDb.optional(),
  preFader: SendSchema.shape.preFader.optional(),
})
export type SetSendInput = z.input<typeof SetSendInput>

/**
 * Adds a send from a track to a bus, or changes its level or pre/post switch. A new send starts post-fader
 * at 0 dB. The send is written whole: two users changing one send at once converge on one of their values.
 */
export const setSend = (doc: Y.Doc, origin: EditOrigin, input: SetSendInput): string => {
  const { from, to, ...changes } = parse(SetSendInput, input, 'send')
  requireTrack(doc, from)
  requireBus(doc, to)
  const id = sendId(from, to)
  const before: Send = sendsMap(doc).get(id) ?? { id, from, to, levelDb: 0, preFader: false }
  const send = parse(SendSchema, { ...before, ...changes }, 'send')
  commit(doc, origin, () => sendsMap(doc).set(id, send))
  return id
}

/** Removes a send and its automation. */
export const removeSend = (doc: Y.Doc, origin: EditOrigin, from: string, to: string): void => {
  const id = sendId(from, to)
  if (!sendsMap(doc).has(id)) throw new SongError('invalid_value', `No send from ${from} to ${to}`)
  commit(doc, origin, () => deleteAttached(doc, new Set(), new Set(), new Set([id])))
}
