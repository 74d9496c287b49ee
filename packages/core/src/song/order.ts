/*
 * Placing records in an ordered list by fractional-indexing keys (tracks, devices in a chain, buses): sorted
 * by (order, id), so ties from concurrent inserts agree everywhere.
 */
import { generateNKeysBetween } from 'fractional-indexing'
import { SongError } from './errors'

export interface Ordered {
  readonly id: string
  readonly order: string
}

export interface Placement {
  /** `count` ascending keys for the records being placed. */
  readonly keys: readonly string[]
  /** Fresh keys for the other records, when the neighbours' keys left no room (a tie from concurrent inserts). */
  readonly rekey: ReadonlyMap<string, string>
}

/**
 * Finds order keys that put `count` records at `index` among `others` (sorted). Two replicas inserting at the
 * same spot produce equal keys; the id tie-break keeps that deterministic, but nothing fits strictly between
 * two equal keys, so then every record gets a fresh, evenly spaced key in the same transaction.
 */
export const placeAmong = (
  others: readonly Ordered[],
  index: number | undefined,
  what: string,
  count = 1,
): Placement => {
  const at = index ?? others.length
  if (!Number.isInteger(at) || at < 0 || at > others.length) {
    throw new SongError('out_of_range', `${what} index ${at} is outside 0..${others.length}`)
  }
  const prev = others[at - 1]?.order ?? null
  const next = others[at]?.order ?? null
  try {
    return { keys: generateNKeysBetween(prev, next, count), rekey: new Map() }
  } catch {
    const keys = generateNKeysBetween(null, null, others.length + count)
    const rekey = new Map(others.map((t, i) => [t.id, keys[i < at ? i : i + count]!]))
    return { keys: keys.slice(at, at + count), rekey }
  }
}
