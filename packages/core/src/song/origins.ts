import { newId } from './ids'
import type { Provenance } from './schema'

/*
 * Every transaction on the song carries one of these as its Yjs origin. They are classes, not plain
 * objects, because Y.UndoManager matches tracked origins by identity: one UserOrigin instance per local
 * user session is what makes undo per-user.
 */

/** A person editing in this tab. Create one per session and reuse it for every edit and for `createUndo`. */
export class UserOrigin {
  readonly kind = 'user'
  constructor(
    readonly userId: string,
    readonly sessionId: string = newId(),
  ) {}
}

/** Updates received from the network (the collab provider applies them with this origin). */
export class RemoteOrigin {
  readonly kind = 'remote'
  constructor(readonly peer: string | null = null) {}
}

/** What a plugin run is: enough to reproduce it and to say who started it. */
export interface AiRun {
  readonly pluginId: string
  readonly pluginVersion: string
  readonly modelHash: string
  readonly seed: number
  readonly requestedBy: string
  readonly runId?: string
  /** The server's signature over the fields above (ProvenanceSchema.seal). */
  readonly seal?: string
}

/** A plugin run writing shared proposals (ghost notes), which are not song content and never undoable. */
export class AiProposalOrigin {
  readonly kind = 'ai-proposal'
  constructor(readonly run: AiRun) {}
}

/**
 * A user accepting a suggestion. It acts for `user`, so that user's undo takes the acceptance back as one
 * step; notes written under it are stamped with `provenance`.
 */
export class AiAcceptedOrigin {
  readonly kind = 'ai-accepted'
  readonly provenance: Provenance
  constructor(
    readonly user: UserOrigin,
    run: AiRun,
  ) {
    this.provenance = {
      pluginId: run.pluginId,
      pluginVersion: run.pluginVersion,
      modelHash: run.modelHash,
      seed: run.seed,
      requestedBy: run.requestedBy,
      acceptedBy: user.userId,
      ...(run.runId === undefined ? {} : { runId: run.runId }),
      ...(run.seal === undefined ? {} : { seal: run.seal }),
    }
  }
}

/** Restoring a named version. With a user, that user can undo the restore; without one (a server job), nobody can. */
export class RestoreOrigin {
  readonly kind = 'restore'
  constructor(
    readonly versionId: string,
    readonly user: UserOrigin | null = null,
  ) {}
}

/** Core's own housekeeping, such as schema migrations: nobody's edit, so nobody's undo. */
export class SystemOrigin {
  readonly kind = 'system'
  constructor(readonly reason: string) {}
}

export type SongOrigin =
  | UserOrigin
  | RemoteOrigin
  | AiProposalOrigin
  | AiAcceptedOrigin
  | RestoreOrigin
  | SystemOrigin

/** Origins allowed to change song content through the operations. */
export type EditOrigin = UserOrigin | AiAcceptedOrigin | RestoreOrigin | SystemOrigin

/** The user a transaction counts for in undo history, if any. */
export const actingUser = (origin: unknown): UserOrigin | null => {
  if (origin instanceof UserOrigin) return origin
  if (origin instanceof AiAcceptedOrigin) return origin.user
  if (origin instanceof RestoreOrigin) return origin.user
  return null
}
