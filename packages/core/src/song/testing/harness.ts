/* Shared test helpers for the song model: replicas, refusal checks, a seeded PRNG. Not exported by core. */
import { expect } from 'vitest'
import * as Y from 'yjs'
import { SongError, type SongErrorCode } from '../errors'
import { migrateSong } from '../migrate'
import { RemoteOrigin } from '../origins'
import { readSong } from '../read'

/** Asserts that `edit` throws a SongError with `code` and leaves the doc byte-for-byte unchanged. */
export const expectRefused = (doc: Y.Doc, code: SongErrorCode, edit: () => unknown): SongError => {
  const before = Y.encodeStateAsUpdate(doc)
  const snapshot = JSON.stringify(readSong(doc))
  let caught: unknown
  try {
    edit()
  } catch (error) {
    caught = error
  }
  expect(caught, 'expected the edit to be refused').toBeInstanceOf(SongError)
  const error = caught as SongError
  expect(error.code).toBe(code)
  expect(error.message.length).toBeGreaterThan(0)
  expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
  expect(JSON.stringify(readSong(doc))).toBe(snapshot)
  return error
}

/** Replicas wired together so every local transaction reaches the others at once, tagged as remote. */
export const connectedReplicas = (count: number): Y.Doc[] => {
  const docs = Array.from({ length: count }, () => new Y.Doc())
  docs.forEach((doc, i) => {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin instanceof RemoteOrigin) return
      docs.forEach((other, j) => {
        if (j !== i) Y.applyUpdate(other, update, new RemoteOrigin(`peer-${i}`))
      })
    })
  })
  migrateSong(docs[0]!)
  return docs
}

/** mulberry32: tiny, fast, and good enough to drive a fuzz test reproducibly from a seed. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T | undefined =>
    items.length === 0 ? undefined : items[Math.floor(next() * items.length)]
  return { next, int, pick, chance: (p: number) => next() < p }
}
