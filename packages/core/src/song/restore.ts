import * as Y from 'yjs'
import { RestoreOrigin, type UserOrigin } from './origins'
import { songTypes } from './ydoc'

/*
 * Restoring a named version without rewriting history: compute the ordinary Yjs change that turns the song
 * as it is now into the song as it was, and apply it like any other edit, so collaborators receive it live
 * and the restorer can undo it.
 *
 * How: replay everything that happened since the version onto a copy of the version, under an UndoManager,
 * then undo it. The copy now holds the version's content as *new* operations (deletes of what was added
 * since, re-inserts of what was removed). Its diff against the current doc is the restore. The version must
 * come from this song's history (it does: versions snapshot the server's copy of the song).
 */
const replaying = Symbol('replaying')

/** The update that, applied to `current`, makes its song equal the version's. Changes neither input. */
export function restoreUpdate(current: Y.Doc, versionState: Uint8Array): Uint8Array {
  const copy = new Y.Doc()
  try {
    Y.applyUpdate(copy, versionState)
    const undo = new Y.UndoManager(songTypes(copy), {
      trackedOrigins: new Set([replaying]),
      captureTimeout: 0,
    })
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(current, Y.encodeStateVector(copy)), replaying)
    undo.undo()
    undo.destroy()
    return Y.encodeStateAsUpdate(copy, Y.encodeStateVector(current))
  } finally {
    copy.destroy()
  }
}

/**
 * Applies a restore update (from `restoreUpdate`, computed here or by the server against its copy of the
 * song) under a RestoreOrigin, so it counts in `me`'s undo history.
 */
export function applyRestore(doc: Y.Doc, me: UserOrigin, versionId: string, update: Uint8Array): void {
  Y.applyUpdate(doc, update, new RestoreOrigin(versionId, me))
}

/** Restores a version's state into `doc` as `me`'s undoable edit. */
export function restoreVersion(
  doc: Y.Doc,
  me: UserOrigin,
  versionId: string,
  versionState: Uint8Array,
): void {
  applyRestore(doc, me, versionId, restoreUpdate(doc, versionState))
}
