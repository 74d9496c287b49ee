import * as Y from 'yjs'
import type { CollabServer } from '../collab/server'
import { type Db, schema } from '../db'
import { readDocument } from '../db/update-log'

/**
 * The server's copy of a song. A loaded room is ahead of the database (its newest updates may
 * still be in the group-commit queue), so it wins; otherwise the stored snapshot plus tail.
 */
export async function songState(collab: CollabServer, db: Db, projectId: string): Promise<Uint8Array> {
  const room = await collab.rooms.peek(projectId).catch(() => undefined)
  if (room !== undefined) return Y.encodeStateAsUpdate(room.doc)
  const stored = await readDocument(db, projectId)
  const parts = [...(stored.snapshot ? [stored.snapshot.state] : []), ...stored.tail.map((r) => r.update)]
  return parts.length === 0 ? Y.encodeStateAsUpdate(new Y.Doc()) : Y.mergeUpdates(parts)
}

/**
 * Gives a new project its first stored state: a snapshot at seq 1 (loaders read snapshots above
 * seq 0; the room's own log continues after it).
 */
export async function seedSong(db: Db, projectId: string, state: Uint8Array): Promise<void> {
  await db
    .insert(schema.documentSnapshots)
    .values({ projectId, upToSeq: 1, state, byteLength: state.byteLength })
}
