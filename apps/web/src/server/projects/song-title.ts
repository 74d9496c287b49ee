import { createSongDoc, observeTitle, readMeta, SystemOrigin, setTitle } from '@ensemble/core'
import { eq } from 'drizzle-orm'
import * as Y from 'yjs'
import { type Room, replicaOrigin } from '../collab/room'
import type { Rooms } from '../collab/rooms'
import { type Db, schema } from '../db'
import { projectName } from './inputs'

/*
 * One name per song. The song's title (its meta in the Y.Doc) is what the studio shows and edits; the
 * `projects` row's name is what the song list and the settings page show. The server keeps them equal:
 * a new project's song starts with its name as title, a rename from the settings page is written into the
 * song as an ordinary edit, and a title changed in the studio is copied to the row by the instance whose
 * client made the change (replicas skip what reached them by the bus; its author's instance wrote it).
 */

/** Nobody's edit: the server writing a name the owner or an editor set on the settings page. */
const RENAME_ORIGIN = new SystemOrigin('project-rename')

/** A new song's first state: a migrated song titled with the project's name. */
export function titledSong(title: string): Uint8Array {
  const doc = createSongDoc({ title })
  try {
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}

/** A copied song's state with the copy's name as its title. */
export function retitledState(state: Uint8Array, title: string): Uint8Array {
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state)
    setTitle(doc, RENAME_ORIGIN, title)
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}

/**
 * Writes a project's new name into its song through the room, so it is logged, sent to everyone in the
 * studio and published to replicas like any edit. Loads the room if nobody has it open.
 */
export async function retitleSong(rooms: Rooms, projectId: string, title: string): Promise<void> {
  const room = await rooms.acquire(projectId)
  try {
    if (readMeta(room.doc).title !== title) {
      room.commitServerEdit(RENAME_ORIGIN, (doc) => setTitle(doc, RENAME_ORIGIN, title))
    }
  } finally {
    rooms.release(room)
  }
}

/**
 * Copies the room's title to the project's row whenever it changes, in order. A title the row cannot hold
 * (empty, control characters) leaves the row as it was; a longer one is cut to the row's limit.
 */
export function followSongTitle(room: Room, db: Db, log: (line: string) => void): () => void {
  let writes = Promise.resolve()
  return observeTitle(room.doc, (title, origin) => {
    if (origin === replicaOrigin || origin === RENAME_ORIGIN) return
    const name = projectName.safeParse(title.slice(0, 120))
    if (!name.success) return
    writes = writes
      .then(async () => {
        await db
          .update(schema.projects)
          .set({ name: name.data, updatedAt: new Date() })
          .where(eq(schema.projects.id, room.projectId))
      })
      .catch((err: unknown) => {
        log(
          `[projects] ${room.projectId}: the song's title did not reach the project's name: ${err instanceof Error ? err.message : String(err)}`,
        )
      })
  })
}
