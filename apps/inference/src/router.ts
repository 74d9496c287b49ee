import { formatPath, PluginError, SuggestInputSchema } from '@ensemble/core/plugin'
import { initTRPC, TRPCError } from '@trpc/server'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'
import { z } from 'zod'
import { HostError, type HostErrorCode } from './host-errors'
import type { PluginHost } from './plugin-host'
import { thirdPartyReason, thirdPartyTrpcCode } from './third-party/errors'
import type { ThirdPartyHost } from './third-party/host'

export interface InferenceContext {
  authorized: boolean
  backend: string
  startedAt: number
  host: PluginHost
  /** Sandboxed third-party plugins (archives loaded by the web server). */
  thirdParty: ThirdPartyHost
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
    const cause = error.cause
    const thirdParty = thirdPartyReason(cause)
    const reason =
      cause instanceof HostError || cause instanceof PluginError
        ? cause.code
        : thirdParty
          ? thirdParty.reason
          : error.code === 'BAD_REQUEST'
            ? 'invalid_request'
            : undefined
    const issues = cause instanceof PluginError ? [...cause.issues] : (thirdParty?.issues ?? issuesOf(cause))
    const message =
      reason === 'invalid_request' && issues
        ? `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
        : shape.message
    const budgetMs = thirdParty?.budgetMs
    return { ...shape, message, data: { ...shape.data, reason, issues, budgetMs } }
  },
})

/** Only the web server holds the bearer secret; everything else is refused before any work. */
const authorized = t.procedure.use(({ ctx, next }) => {
  if (!ctx.authorized)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'missing or wrong bearer secret' })
  return next()
})

const hostCodes: Record<HostErrorCode, TRPC_ERROR_CODE_KEY> = {
  not_found: 'NOT_FOUND',
  unavailable: 'PRECONDITION_FAILED',
  busy: 'TOO_MANY_REQUESTS',
}

const pluginCodes: Partial<Record<PluginError['code'], TRPC_ERROR_CODE_KEY>> = {
  invalid_input: 'BAD_REQUEST',
  invalid_parameters: 'BAD_REQUEST',
  deadline_exceeded: 'TIMEOUT',
  incompatible_host: 'PRECONDITION_FAILED',
}

/** Plugin faults (throws, bad output, undeclared capabilities) stay INTERNAL_SERVER_ERROR with their reason. */
function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err
  const thirdPartyCode = thirdPartyTrpcCode(err)
  if (thirdPartyCode)
    return new TRPCError({ code: thirdPartyCode, message: (err as Error).message, cause: err })
  if (err instanceof HostError)
    return new TRPCError({ code: hostCodes[err.code], message: err.message, cause: err })
  if (err instanceof PluginError)
    return new TRPCError({
      code: pluginCodes[err.code] ?? 'INTERNAL_SERVER_ERROR',
      message: err.message,
      cause: err,
    })
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
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
      // First-party ids are served in-process; any other id is a third-party plugin, run in the sandbox.
      const firstParty = ctx.host.list().some((p) => p.id === input.pluginId)
      return firstParty ? await ctx.host.suggest(input) : await ctx.thirdParty.suggest(input)
    } catch (err) {
      throw toTRPCError(err)
    }
  }),

  thirdParty: t.router({
    /** A `.ensemble-plugin` archive, base64: verified, cached by id@version, its models loaded. */
    load: authorized
      .input(z.object({ archive: z.string().min(1).max(MAX_ARCHIVE_BASE64) }))
      .mutation(async ({ ctx, input }) => {
        try {
          return await ctx.thirdParty.load(new Uint8Array(Buffer.from(input.archive, 'base64')))
        } catch (err) {
          throw toTRPCError(err)
        }
      }),
    /**
     * The registry's check at publish: the archive verified and its bundle loaded once in the sandbox, with a
     * short budget; nothing is cached. BAD_REQUEST `bad_bundle` with the reason when it can never run.
     */
    check: authorized
      .input(z.object({ archive: z.string().min(1).max(MAX_ARCHIVE_BASE64) }))
      .mutation(async ({ ctx, input }) => {
        try {
          return await ctx.thirdParty.check(new Uint8Array(Buffer.from(input.archive, 'base64')))
        } catch (err) {
          throw toTRPCError(err)
        }
      }),
    /** The kill list: the version is refused from now on and its running calls are aborted. */
    yank: authorized
      .input(z.object({ id: z.string().min(1).max(200), version: z.string().min(1).max(64) }))
      .mutation(({ ctx, input }) => ctx.thirdParty.yank(input.id, input.version)),
    /** Loaded versions with their strikes, suspension and kill-list state. */
    status: authorized.query(({ ctx }) => ctx.thirdParty.status()),
  }),
})

export type InferenceRouter = typeof inferenceRouter
