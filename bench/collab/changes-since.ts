/**
 * "What changed since you left": what classifying and summarising cost (docs/BENCHMARKS.md).
 *
 *   pnpm --filter @ensemble/bench changes-since            (PGlite in memory)
 *   DATABASE_URL=postgres://… pnpm --filter @ensemble/bench changes-since
 *
 * A song of 8 tracks × 8 clips × 32 notes; Bob makes 2,000 edits of the usual kinds (notes added,
 * moved, deleted; clips added and moved; tempo; volume). Figures: classifying one logged update
 * (core `listChanges`, what a compaction and a summary do per row); then `summariseSince` for a member
 * away for 100,000 edits (stored as classified, as compactions leave them) plus a 500-row log tail,
 * beside a member away only for the tail.
 */
import { performance } from 'node:perf_hooks'
import {
  addClip,
  addNotes,
  addTrack,
  createSongDoc,
  deleteNotes,
  listChanges,
  moveClip,
  moveNotes,
  PPQ,
  readTracks,
  type SongChange,
  setTempo,
  setVolume,
  UserOrigin,
} from '@ensemble/core'
import { summariseSince } from '@ensemble/web/changes-since'
import { openMigratedDatabase, schema } from '@ensemble/web/database'
import * as Y from 'yjs'

const BAR = PPQ * 4
let seed = 7
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x7fffffff
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!

function song(): Y.Doc {
  const doc = createSongDoc({ bpm: 96 })
  const alice = new UserOrigin('alice')
  for (let t = 0; t < 8; t++) {
    const trackId = addTrack(doc, alice, { kind: 'instrument', name: `Track ${t + 1}` })
    for (let c = 0; c < 8; c++) {
      addClip(doc, alice, trackId, {
        start: c * BAR * 2,
        length: BAR * 2,
        notes: Array.from({ length: 32 }, (_, n) => ({
          pitch: 48 + ((n * 5) % 24),
          start: n * 60,
          duration: 60,
        })),
      })
    }
  }
  return doc
}

/** Bob's edits, one logged update each. */
function edits(doc: Y.Doc, count: number): Uint8Array[] {
  const bob = new UserOrigin('bob')
  const updates: Uint8Array[] = []
  const onUpdate = (u: Uint8Array) => updates.push(u)
  doc.on('update', onUpdate)
  while (updates.length < count) {
    const track = pick(readTracks(doc))
    const clip = pick(track.clips)
    const kind = random()
    if (kind < 0.35)
      addNotes(doc, bob, track.id, clip.id, [
        { pitch: 60 + Math.floor(random() * 12), start: 0, duration: 120 },
      ])
    else if (kind < 0.6 && clip.notes.length > 0)
      moveNotes(doc, bob, track.id, clip.id, [pick(clip.notes).id], { deltaTicks: 0, deltaPitch: 1 })
    else if (kind < 0.75 && clip.notes.length > 4)
      deleteNotes(doc, bob, track.id, clip.id, [pick(clip.notes).id])
    else if (kind < 0.82)
      addClip(doc, bob, track.id, { start: BAR * 16 + Math.floor(random() * 64) * BAR, length: BAR })
    else if (kind < 0.9) moveClip(doc, bob, track.id, clip.id, { start: clip.start + BAR })
    else if (kind < 0.95) setTempo(doc, bob, 90 + Math.floor(random() * 40))
    else setVolume(doc, bob, track.id, -Math.floor(random() * 20))
  }
  doc.off('update', onUpdate)
  return updates
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  const doc = song()
  const base = Y.encodeStateAsUpdate(doc)
  const updates = edits(doc, 2000)

  // Classifying: replay every update on a copy that starts where the log starts, beside the bare
  // replay (what loading a room does with the same rows), interleaved so both see the same load.
  const classified: SongChange[][] = []
  const times = { apply: [] as number[], classify: [] as number[] }
  for (let round = 0; round < 3; round++) {
    for (const mode of ['apply', 'classify'] as const) {
      const copy = new Y.Doc()
      Y.applyUpdate(copy, base)
      const t0 = performance.now()
      if (mode === 'apply') for (const u of updates) Y.applyUpdate(copy, u)
      else
        updates.forEach((u, i) => {
          classified[i] = listChanges(copy, u)
        })
      times[mode].push(performance.now() - t0)
    }
  }
  const perUpdate = (ms: number[]) => ((median(ms) / updates.length) * 1000).toFixed(0)
  console.log(
    `replay ${updates.length} updates: bare ${perUpdate(times.apply)} µs per update, classified ${perUpdate(times.classify)} µs per update (${(median(times.classify) / median(times.apply)).toFixed(1)}×)`,
  )

  const url = process.env.DATABASE_URL
  const database = await openMigratedDatabase(url ? { driver: 'postgres', url } : { driver: 'pglite' })
  const { db } = database
  const projectId = `bench-since-${Date.now()}`
  const away = 100_000
  const tail = 500
  // Snapshot at 1 (the visit), 100k classified edits, the snapshot they were folded into, a raw tail.
  await db
    .insert(schema.documentSnapshots)
    .values({ projectId, upToSeq: 1, state: base, byteLength: base.byteLength })
  const rows = Array.from({ length: away }, (_, i) => ({
    projectId,
    seq: 2 + i,
    authorId: 'bob',
    changes: classified[i % classified.length]!,
  })).filter((r) => r.changes.length > 0)
  for (let i = 0; i < rows.length; i += 2000)
    await db.insert(schema.songChanges).values(rows.slice(i, i + 2000))
  const folded = Y.encodeStateAsUpdate(doc)
  await db
    .insert(schema.documentSnapshots)
    .values({ projectId, upToSeq: 1 + away, state: folded, byteLength: folded.byteLength })
  const more = edits(doc, tail)
  await db
    .insert(schema.documentUpdates)
    .values(more.map((update, i) => ({ projectId, seq: 2 + away + i, update, authorId: 'bob' })))
  await db.insert(schema.songVisits).values([
    { projectId, userId: 'alice', seenSeq: 1 },
    { projectId, userId: 'carol', seenSeq: 1 + away },
  ])

  for (const [who, label] of [
    ['alice', `away for ${away.toLocaleString('en')} edits + ${tail} in the tail`],
    ['carol', `away for the ${tail}-row tail only`],
  ] as const) {
    const times: number[] = []
    let lines = 0
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      const summary = await summariseSince(db, projectId, who)
      times.push(performance.now() - t0)
      lines = summary.authors.reduce((n, a) => n + a.tracks.reduce((m, t) => m + t.items.length, 0), 0)
    }
    console.log(`summary, ${label}: median ${median(times).toFixed(0)} ms over 5 (${lines} lines)`)
  }
  await database.close()
}

await main()
