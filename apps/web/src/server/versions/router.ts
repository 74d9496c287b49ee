import { randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { and, desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { schema } from '../db'
import { requireRole } from '../projects/access'
import { projectId, versionName } from '../projects/inputs'
import { authedProcedure, router } from '../trpc/init'

/**
 * Named versions. `create` snapshots the server's copy of the song (not the caller's, which may
 * be behind or forged). `get` returns the stored state for a read-only preview, and for restore:
 * the studio turns it into an ordinary change (studio/versions/restore.ts) under a RestoreOrigin,
 * so collaborators receive it live and the restorer can undo it. Versions are never edited.
 */

const versionInput = z.object({ projectId, versionId: z.string().uuid() })

export const versionsRouter = router({
  create: authedProcedure
    .input(z.object({ projectId, name: versionName }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'editor')
      const state = await ctx.songState(input.projectId)
      const id = randomUUID()
      const [row] = await ctx.db
        .insert(schema.songVersions)
        .values({
          id,
          projectId: input.projectId,
          name: input.name,
          authorId: ctx.user.id,
          state,
          byteLength: state.byteLength,
        })
        .returning({ createdAt: schema.songVersions.createdAt })
      return { id, name: input.name, createdAt: (row?.createdAt ?? new Date()).toISOString() }
    }),

  list: authedProcedure.input(z.object({ projectId })).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const rows = await ctx.db
      .select({
        id: schema.songVersions.id,
        name: schema.songVersions.name,
        createdAt: schema.songVersions.createdAt,
        authorId: schema.songVersions.authorId,
        authorName: schema.users.name,
        byteLength: schema.songVersions.byteLength,
      })
      .from(schema.songVersions)
      .leftJoin(schema.users, eq(schema.users.id, schema.songVersions.authorId))
      .where(eq(schema.songVersions.projectId, input.projectId))
      .orderBy(desc(schema.songVersions.createdAt))
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }))
  }),

  get: authedProcedure.input(versionInput).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const [row] = await ctx.db
      .select()
      .from(schema.songVersions)
      .where(
        and(eq(schema.songVersions.id, input.versionId), eq(schema.songVersions.projectId, input.projectId)),
      )
    if (row === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such version.' })
    return {
      id: row.id,
      name: row.name,
      createdAt: row.createdAt.toISOString(),
      state: Buffer.from(row.state).toString('base64'),
    }
  }),
})
