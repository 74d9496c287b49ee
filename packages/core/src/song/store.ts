import type * as Y from 'yjs'
import { assetsMap, songTypes } from './ydoc'

export type Equality<T> = (a: T, b: T) => boolean

/**
 * Equal if identical, or arrays / plain objects whose items are identical. Enough for selectors built from
 * the read helpers, which reuse unchanged snapshots.
 */
export const shallowEqual = <T>(a: T, b: T): boolean => {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) && Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  )
}

/** Structural equality for plain data, for selectors that build fresh objects (such as placed notes). */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  )
}

/** The shape React's useSyncExternalStore takes: `useSyncExternalStore(store.subscribe, store.getSnapshot)`. */
export interface SongStore<T> {
  readonly getSnapshot: () => T
  readonly subscribe: (onStoreChange: () => void) => () => void
}

/**
 * A store over one selector. getSnapshot recomputes lazily, only after a change to the song, and returns
 * the previous value whenever `equals` says the selection did not change, so React re-renders only for
 * relevant edits. Listeners are told about every song change; React then calls getSnapshot and compares.
 */
export const createSongStore = <T>(
  doc: Y.Doc,
  selector: (doc: Y.Doc) => T,
  equals: Equality<T> = shallowEqual,
): SongStore<T> => {
  let dirty = true
  let has = false
  let value: T | undefined
  const listeners = new Set<() => void>()
  const onDeep = () => {
    dirty = true
    for (const listener of [...listeners]) listener()
  }
  const getSnapshot = (): T => {
    // Without listeners nothing marks us dirty, so every read must check.
    if (dirty || listeners.size === 0) {
      const next = selector(doc)
      if (!has || !equals(value as T, next)) value = next
      has = true
      dirty = false
    }
    return value as T
  }
  const subscribe = (listener: () => void) => {
    if (listeners.size === 0) {
      dirty = true
      for (const type of songTypes(doc)) type.observeDeep(onDeep)
      // Asset records too, so a selector of `readAudioAssets` hears a bandmate's new file.
      assetsMap(doc).observeDeep(onDeep)
    }
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0) {
        for (const type of songTypes(doc)) type.unobserveDeep(onDeep)
        assetsMap(doc).unobserveDeep(onDeep)
      }
    }
  }
  return { getSnapshot, subscribe }
}

/**
 * Calls `onChange(next, previous)` whenever the selected value changes (by `equals`). Returns unsubscribe.
 */
export const subscribe = <T>(
  doc: Y.Doc,
  selector: (doc: Y.Doc) => T,
  onChange: (next: T, previous: T) => void,
  equals: Equality<T> = shallowEqual,
): (() => void) => {
  const store = createSongStore(doc, selector, equals)
  let current = store.getSnapshot()
  return store.subscribe(() => {
    const next = store.getSnapshot()
    if (next === current) return
    const previous = current
    current = next
    onChange(next, previous)
  })
}
