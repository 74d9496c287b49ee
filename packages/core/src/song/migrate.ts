import * as Y from 'yjs'
import { SongError } from './errors'
import { SystemOrigin } from './origins'
import { DEFAULT_META, type Meta, MetaSchema, SONG_SCHEMA_VERSION } from './schema'
import { commit, metaMap, parse, type YRecord } from './ydoc'

/** One step: reads a doc at version `from`, leaves it at `from + 1`. Runs inside the migration transaction. */
interface Migration {
  readonly from: number
  readonly run: (doc: Y.Doc) => void
}

/*
 * Version 0 is "no schemaVersion key": a brand-new doc. A future version appends a step here and bumps
 * SONG_SCHEMA_VERSION; old docs then walk the whole chain in one transaction.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    from: 0,
    run: (doc) => {
      const meta = metaMap(doc)
      // Only fill what is missing, so a late migration on a partly synced doc never overwrites real values.
      for (const [key, value] of Object.entries(DEFAULT_META)) if (!meta.has(key)) meta.set(key, value)
    },
  },
  // Version 2 added audio clips, which live in the clips map every track already has, and the assets map,
  // which Yjs creates on first use: nothing to convert. The bump makes a build that predates audio clips
  // refuse such a song instead of reading an audio clip as a MIDI clip without notes.
  { from: 1, run: () => {} },
  // Version 3 added effects, buses, sends, automation and chain presets, all in top-level maps that Yjs
  // creates on first use: nothing to convert. The bump makes an older build refuse a song whose effects it
  // would silently drop (and whose client-write rules it would not apply).
  { from: 2, run: () => {} },
]

export const MIGRATION_ORIGIN = new SystemOrigin('migration')

export const songVersion = (doc: Y.Doc): number => {
  const version = metaMap(doc).get('schemaVersion')
  return typeof version === 'number' ? version : 0
}

/**
 * Brings a doc up to SONG_SCHEMA_VERSION. Call it once the doc has synced with the server (before that, a
 * fresh replica cannot tell a new song from one it has not received yet). Returns the version it found.
 * Refuses docs written by a newer core rather than guessing at their layout.
 */
export const migrateSong = (doc: Y.Doc): number => {
  const found = songVersion(doc)
  if (!Number.isInteger(found) || found < 0 || found > SONG_SCHEMA_VERSION) {
    throw new SongError(
      'unknown_version',
      `Song schema version ${found} is not one this build understands (up to ${SONG_SCHEMA_VERSION})`,
    )
  }
  if (found === SONG_SCHEMA_VERSION) return found
  const steps = MIGRATIONS.filter((m) => m.from >= found).sort((a, b) => a.from - b.from)
  commit(doc, MIGRATION_ORIGIN, () => {
    for (const step of steps) step.run(doc)
    metaMap(doc).set('schemaVersion', SONG_SCHEMA_VERSION)
  })
  return found
}

/** A new, migrated song doc; `meta` overrides the defaults and is validated first. */
export const createSongDoc = (meta: Partial<Omit<Meta, 'schemaVersion'>> = {}): Y.Doc => {
  const initial = parse(
    MetaSchema,
    { ...DEFAULT_META, ...meta, schemaVersion: SONG_SCHEMA_VERSION },
    'song meta',
  )
  const doc = new Y.Doc()
  commit(doc, MIGRATION_ORIGIN, () => {
    const y: YRecord = metaMap(doc)
    for (const [key, value] of Object.entries(initial)) y.set(key, value)
  })
  return doc
}
