import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { setKey, setTempo, setTimeSignature, setTitle } from './meta'
import { createSongDoc, migrateSong, songVersion } from './migrate'
import { UserOrigin } from './origins'
import { readMeta } from './read'
import { DEFAULT_META, SONG_SCHEMA_VERSION } from './schema'
import { expectRefused } from './testing/harness'

const alice = new UserOrigin('alice')

describe('migrateSong', () => {
  it('brings an empty doc to the current version with default meta', () => {
    const doc = new Y.Doc()
    expect(songVersion(doc)).toBe(0)
    expect(migrateSong(doc)).toBe(0)
    expect(readMeta(doc)).toEqual({ ...DEFAULT_META, schemaVersion: SONG_SCHEMA_VERSION })
  })

  it('is a no-op on a current doc', () => {
    const doc = createSongDoc({ title: 'Kept' })
    const before = Y.encodeStateAsUpdate(doc)
    expect(migrateSong(doc)).toBe(SONG_SCHEMA_VERSION)
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
  })

  it('keeps values already present when filling defaults', () => {
    const source = createSongDoc({ title: 'Synced', bpm: 90 })
    const doc = new Y.Doc()
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(source))
    expect(migrateSong(doc)).toBe(SONG_SCHEMA_VERSION)
    expect(readMeta(doc).title).toBe('Synced')
    expect(readMeta(doc).bpm).toBe(90)
  })

  it('refuses a doc from a newer schema', () => {
    const doc = new Y.Doc()
    doc.getMap('meta').set('schemaVersion', SONG_SCHEMA_VERSION + 1)
    expectRefused(doc, 'unknown_version', () => migrateSong(doc))
  })

  it('createSongDoc validates its overrides', () => {
    expect(() => createSongDoc({ bpm: 1000 })).toThrow(/tempo|bpm/i)
  })
})

describe('meta operations', () => {
  it('sets title, tempo, time signature and key', () => {
    const doc = createSongDoc()
    setTitle(doc, alice, 'Night Drive')
    setTempo(doc, alice, 97.5)
    setTimeSignature(doc, alice, { numerator: 7, denominator: 8 })
    setKey(doc, alice, { tonic: 'F#', mode: 'dorian' })
    expect(readMeta(doc)).toEqual({
      schemaVersion: SONG_SCHEMA_VERSION,
      title: 'Night Drive',
      bpm: 97.5,
      timeSignature: { numerator: 7, denominator: 8 },
      key: { tonic: 'F#', mode: 'dorian' },
    })
  })

  it('refuses invalid values and changes nothing', () => {
    const doc = createSongDoc()
    expectRefused(doc, 'invalid_value', () => setTempo(doc, alice, 19))
    expectRefused(doc, 'invalid_value', () => setTempo(doc, alice, 401))
    expectRefused(doc, 'invalid_value', () => setTempo(doc, alice, Number.NaN))
    expectRefused(doc, 'invalid_value', () => setTimeSignature(doc, alice, { numerator: 0, denominator: 4 }))
    expectRefused(doc, 'invalid_value', () => setTimeSignature(doc, alice, { numerator: 33, denominator: 4 }))
    expectRefused(doc, 'invalid_value', () =>
      setTimeSignature(doc, alice, { numerator: 4, denominator: 3 as 4 }),
    )
    expectRefused(doc, 'invalid_value', () => setKey(doc, alice, { tonic: 'H', mode: 'major' }))
    expectRefused(doc, 'invalid_value', () => setKey(doc, alice, { tonic: 'C4', mode: 'major' }))
    expectRefused(doc, 'invalid_value', () => setKey(doc, alice, { tonic: 'C', mode: 'blues' as 'major' }))
    expectRefused(doc, 'invalid_value', () => setTitle(doc, alice, 'x'.repeat(201)))
  })

  it('refuses writes without an editing origin', () => {
    const doc = createSongDoc()
    expectRefused(doc, 'invalid_value', () => setTitle(doc, {} as UserOrigin, 'Sneaky'))
  })

  it('names the bad field in the message', () => {
    const doc = createSongDoc()
    const error = expectRefused(doc, 'invalid_value', () => setTempo(doc, alice, 5))
    expect(error.message).toMatch(/tempo/)
    expect(error.issues.length).toBeGreaterThan(0)
  })
})
