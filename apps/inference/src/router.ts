import { formatPath, SuggestInputSchema } from '@ensemble/core/plugin'
import { initTRPC, TRPCError } from '@trpc/server'
import { z } from 'zod'
import { hostFailure } from './host-errors'
import type { PluginHost } from './plugin-host'

export interface InferenceContext {
  authorized: boolean
  backend: string
  startedAt: number
  /** Every plugin, first- and third-party: one catalogue, two runners (plugin-host.ts). */
  host: PluginHost
  maxPending: number
}

/** An input problem as the web server logs it and the panel may show it. */
interface Issue {
  path: string
  message: string
}

/** Validation issues from tRPC's input parsing (zod or any standard schema), with readable paths. */
function issuesOf(cause: unknown): Issue[] | undefined {
  const issues = (cause as { issues?: unknown } | undefined)?.issues
  if (!Array.isArray(issues)) return undefined
  return issues.map(
    (issue: { path?: readonly (PropertyKey | { key: PropertyKey })[]; message?: string }) => ({
      path: formatPath((issue.path ?? []).map((p) => (typeof p === 'object' ? p.key : p))),
      message: issue.message ?? 'invalid',
    }),
  )
}

const t = initTRPC.context<InferenceContext>().create({
  /**
   * Every error carries a stable `reason` (busy, deadline_exceeded, plugin_failed, …) and its issues, so the
   * web server can pick a message and decide whether a retry makes sense without parsing prose.
   */
  errorFormatter({ shape, error }) {
    const failure = hostFailure(error.cause)
    const reason = failure?.reason ?? (error.code === 'BAD_REQUEST' ? 'invalid_request' : undefined)
    const issues = failure ? failure.issues : issuesOf(error.cause)
    const message =
      reason === 'invalid_request' && issues
        ? `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
        : shape.message
    return { ...shape, message, data: { ...shape.data, reason, issues, budgetMs: failure?.budgetMs } }
  },
})

/** Only the web server holds the bearer secret; everything else is refused before any work. */
const authorized = t.procedure.use(({ ctx, next }) => {
  if (!ctx.authorized)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'missing or wrong bearer secret' })
  return next()
})

function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err
  return new TRPCError({
    code: hostFailure(err)?.code ?? 'INTERNAL_SERVER_ERROR',
    message: (err as Error).message ?? String(err),
    cause: err,
  })
}

const pluginRef = z.object({
  id: z.string().min(1).max(200),
  /** An exact version or a semver range; the default takes the newest. */
  version: z.string().min(1).max(64).default('*'),
})

/** An 8 MiB archive (the SDK's limit) in base64. */
const MAX_ARCHIVE_BASE64 = Math.ceil((8 * 1024 * 1024) / 3) * 4

const name = z.string().min(1).max(200)

/**
 * Who the call is for, named by the web server, which authorized it (only it holds the bearer secret):
 * admission and the sandbox give each user, and each third-party publisher, a bounded share.
 */
export const CallerSchema = z.object({ userId: name, projectId: name, publisher: name.optional() })

export const SuggestRequestSchema = z.object({
  pluginId: z.string().min(1).max(200),
  version: z.string().min(1).max(64).default('*'),
  input: SuggestInputSchema,
  caller: CallerSchema.optional(),
})

export const inferenceRouter = t.router({
  health: authorized.query(({ ctx }) => ({
    status: 'ok' as const,
    backend: ctx.backend,
    uptimeMs: Date.now() - ctx.startedAt,
    inFlight: ctx.host.inFlight,
    maxPending: ctx.maxPending,
    models: ctx.host.modelStats(),
  })),

  plugins: t.router({
    list: authorized.query(({ ctx }) => ctx.host.list()),
    describe: authorized.input(pluginRef).query(({ ctx, input }) => {
      try {
        return ctx.host.describe(input.id, input.version)
      } catch (err) {
        throw toTRPCError(err)
      }
    }),
  }),

  suggest: authorized.input(SuggestRequestSchema).mutation(async ({ ctx, input }) => {
    try {
      // First- or third-party alike: the host finds (or fetches) the version and picks its runner.
      return await ctx.host.suggest(input)
    } catch (err) {
      throw toTRPCError(err)
    }
  }),

  thirdParty: t.router({
    /**
     * The registry's check at publish: the archive verified and its bundle loaded once in the sandbox, with a
     * short budget; nothing is cached. BAD_REQUEST `bad_bundle` with the reason when it can never run.
     */
    check: authorized
      .input(z.object({ archive: z.string().min(1).max(MAX_ARCHIVE_BASE64) }))
      .mutation(async ({ ctx, input }) => {
        try {
          return await ctx.host.check(new Uint8Array(Buffer.from(input.archive, 'base64')))
        } catch (err) {
          throw toTRPCError(err)
        }
      }),
    /** The kill list: the version is refused from now on and its running calls are aborted. */
    yank: authorized
      .input(z.object({ id: z.string().min(1).max(200), version: z.string().min(1).max(64) }))
      .mutation(({ ctx, input }) => ctx.host.yank(input.id, input.version)),
    /** Installed versions with their strikes, suspension and kill-list state. */
    status: authorized.query(({ ctx }) => ctx.host.status()),
  }),
})

export type InferenceRouter = typeof inferenceRouter
