import { initTRPC, TRPCError } from '@trpc/server'

export interface InferenceContext {
  authorized: boolean
  backend: string
  startedAt: number
}

const t = initTRPC.context<InferenceContext>().create()

/** Only the web server holds the bearer secret; everything else is refused before any work. */
const authorized = t.procedure.use(({ ctx, next }) => {
  if (!ctx.authorized)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'missing or wrong bearer secret' })
  return next()
})

export const inferenceRouter = t.router({
  health: authorized.query(({ ctx }) => ({
    status: 'ok' as const,
    backend: ctx.backend,
    uptimeMs: Date.now() - ctx.startedAt,
  })),
})

export type InferenceRouter = typeof inferenceRouter
