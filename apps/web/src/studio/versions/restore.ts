import { RestoreOrigin, type UserOrigin } from '@ensemble/core'
import * as Y from 'yjs'

/**
 * Restoring a named version without rewriting history: compute the ordinary Yjs change that
 * turns the song as it is now into the song as it was, and apply it like any other edit.
 *
 * How: replay everything that happened since the version onto a copy of the version, under an
 * UndoManager, then undo it. The copy now holds the version's content as *new* operations
 * (deletes of what was added since, re-inserts of what was removed). Its diff against the
 * current doc is the restore: collaborators receive it live, and the restorer can undo it.
 * The version must come from this song's history (it does: versions snapshot the room's doc).
 */
const replaying = Symbol('replaying')

export function restoreUpdate(current: Y.Doc, versionState: Uint8Array): Uint8Array {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, versionState)
  const undo = new Y.UndoManager([copy.getMap('meta'), copy.getMap('tracks')], {
    trackedOrigins: new Set([replaying]),
    captureTimeout: 0,
  })
  const since = Y.encodeStateAsUpdate(current, Y.encodeStateVector(copy))
  Y.applyUpdate(copy, since, replaying)
  undo.undo()
  const diff = Y.encodeStateAsUpdate(copy, Y.encodeStateVector(current))
  undo.destroy()
  copy.destroy()
  return diff
}

/** Applies the restore to the session's doc under a RestoreOrigin, so `me` can undo it. */
export function restoreVersion(
  doc: Y.Doc,
  me: UserOrigin,
  versionId: string,
  versionState: Uint8Array,
): void {
  Y.applyUpdate(doc, restoreUpdate(doc, versionState), new RestoreOrigin(versionId, me))
}

export const decodeState = (base64: string): Uint8Array =>
  Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
