import type * as Y from 'yjs'
import { type Key, KeySchema, type TimeSignature, TimeSignatureSchema } from '../music/index'
import type { EditOrigin } from './origins'
import { MetaSchema } from './schema'
import { commit, metaMap, parse } from './ydoc'

export const setTitle = (doc: Y.Doc, origin: EditOrigin, title: string): void => {
  const value = parse(MetaSchema.shape.title, title, 'title')
  commit(doc, origin, () => metaMap(doc).set('title', value))
}

/**
 * Calls `listener` with the new title whenever a transaction changes it (with that transaction's origin),
 * so a server can keep its own record of the song's name in step. Returns unsubscribe.
 */
export const observeTitle = (
  doc: Y.Doc,
  listener: (title: string, origin: unknown) => void,
): (() => void) => {
  const meta = metaMap(doc)
  const onChange = (event: Y.YMapEvent<unknown>) => {
    if (!event.keysChanged.has('title')) return
    const title = MetaSchema.shape.title.safeParse(meta.get('title'))
    if (title.success) listener(title.data, event.transaction.origin)
  }
  meta.observe(onChange)
  return () => meta.unobserve(onChange)
}

export const setTempo = (doc: Y.Doc, origin: EditOrigin, bpm: number): void => {
  const value = parse(MetaSchema.shape.bpm, bpm, 'tempo')
  commit(doc, origin, () => metaMap(doc).set('bpm', value))
}

/** Stored as one value so a concurrent edit never mixes one user's numerator with another's denominator. */
export const setTimeSignature = (doc: Y.Doc, origin: EditOrigin, timeSignature: TimeSignature): void => {
  const value = parse(TimeSignatureSchema, timeSignature, 'time signature')
  commit(doc, origin, () => metaMap(doc).set('timeSignature', { ...value }))
}

export const setKey = (doc: Y.Doc, origin: EditOrigin, key: Key): void => {
  const value = parse(KeySchema, key, 'key')
  commit(doc, origin, () => metaMap(doc).set('key', { ...value }))
}
