import type { InferenceClient } from '@ensemble/inference/client'
import { initTRPC, TRPCError } from '@trpc/server'
import { ZodError } from 'zod'
import type { SessionUser } from '../auth/auth'
import type { Room } from '../collab/room'
import type { Role, RoomClaims } from '../collab/tokens'
import type { WriteRules } from '../collab/write-rules'
import type { Db } from '../db'
import type { DiscussionRates } from '../quotas/discussion-rates'
import type { SuggestionsInFlight } from '../quotas/suggestions-in-flight'
import type { ServerTiming } from './server-timing'

/**
 * tRPC for the web API (`/api/trpc`). The context carries the caller (from the session cookie)
 * and the server-side services the routers need; nothing here trusts the client's word on who
 * it is or what role it has.
 */

export interface ApiServices {
  db: Db
  /** The server's own copy of a song (the loaded room, else the database), as one Yjs update. */
  songState(projectId: string): Promise<Uint8Array>
  /**
   * Holds the project's room on this instance while `use` runs (loading it if nobody has it open here): the
   * live song, read without a copy, and written by the server as an edit everyone receives (ai.suggest).
   */
  holdRoom<T>(projectId: string, use: (room: Room) => Promise<T>): Promise<T>
  /** Seals the runs the server makes, so their proposals and accepted notes pass the room's write rules. */
  writeRules: WriteRules
  /** Seeds a new project's song with a state (create, duplicate). */
  seedSong(projectId: string, state: Uint8Array): Promise<void>
  /** Writes a project's new name into its song's title, live for everyone in the studio. */
  retitleSong(projectId: string, title: string): Promise<void>
  /** Applies a membership change to open collab connections. */
  setAccess(projectId: string, userId: string | null, role: Role | null): void
  /** The project was deleted: closes its connections and unloads its room on every instance. */
  closeProject(projectId: string): void
  /** How long a deleted project can be restored (DELETED_PROJECT_RETENTION_DAYS). */
  deletedRetentionMs: number
  signRoomToken(claims: RoomClaims): Promise<{ token: string; expiresAt: number }>
  /** The inference service (AI suggestions), over HTTP with the shared bearer secret. */
  inference: InferenceClient
  /** Each user's and each song's suggestions running on this instance, for their limits. */
  suggestionsInFlight: SuggestionsInFlight
  /**
   * First-party plugins' names by `id@version`, as the service described them: a version's manifest never
   * changes, so each is asked once, not once per suggestion (ai/router.ts).
   */
  firstPartyNames: Map<string, string>
  /**
   * Announces a committed change of a song's comments or chat (a JSON `DiscussionEvent`) to its open
   * studios, on this instance and through the fan-out on every other.
   */
  notifyDiscussion(projectId: string, json: string): void
  /** Each user's comments and chat on this instance, for the rate limits. */
  discussionRates: DiscussionRates
}

/**
 * A failure the client branches on rather than only shows (the AI panel retries on 'busy', offers another
 * plugin on 'plugin_unavailable'): `reason` reaches the client as `data.reason`, and `retryAfterMs` as
 * `data.retryAfterMs` and the HTTP `Retry-After` header (api/route.ts).
 */
export class ReasonedError extends TRPCError {
  constructor(
    readonly reason: string,
    options: ConstructorParameters<typeof TRPCError>[0],
    readonly retryAfterMs?: number,
  ) {
    super(options)
  }
}

export interface ApiContext extends ApiServices {
  user: SessionUser | null
  /** This request's stages, for its `Server-Timing` header (server-timing.ts). */
  timing: ServerTiming
}

const t = initTRPC.context<ApiContext>().create({
  // Input errors come back as one readable sentence, not a serialized zod tree.
  errorFormatter({ shape, error }) {
    const cause = error.cause
    if (cause instanceof ZodError) {
      const message = cause.issues
        .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; ')
      return { ...shape, message }
    }
    if (error instanceof ReasonedError)
      return {
        ...shape,
        data: {
          ...shape.data,
          reason: error.reason,
          ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
        },
      }
    return shape
  },
})

export const router = t.router
export const publicProcedure = t.procedure

/** Signed in: UNAUTHORIZED otherwise. */
export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.user === null) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' })
  return next({ ctx: { ...ctx, user: ctx.user } })
})

export type AuthedContext = ApiContext & { user: SessionUser }
