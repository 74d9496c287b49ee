import { randomUUID } from 'node:crypto'
import { restoreUpdate } from '@ensemble/core'
import { TRPCError } from '@trpc/server'
import { and, desc, eq } from 'drizzle-orm'
import * as Y from 'yjs'
import { z } from 'zod'
import { type Db, schema } from '../db'
import { requireRole } from '../projects/access'
import { projectId, versionName } from '../projects/inputs'
import { authedProcedure, router } from '../trpc/init'

/**
 * Named versions. `create` snapshots the server's copy of the song (not the caller's, which may
 * be behind or forged). `get` returns the stored state for a read-only preview. `restoreUpdate`
 * is core's restore (song/restore.ts) run against the server's copy: the ordinary change that
 * turns the song as it is into the version. The studio applies it under a RestoreOrigin, so
 * collaborators receive it live and the restorer can undo it. Versions are never edited.
 */

const versionInput = z.object({ projectId, versionId: z.string().uuid() })

const findVersion = async (db: Db, input: z.infer<typeof versionInput>) => {
  const [row] = await db
    .select()
    .from(schema.songVersions)
    .where(
      and(eq(schema.songVersions.id, input.versionId), eq(schema.songVersions.projectId, input.projectId)),
    )
  if (row === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such version.' })
  return row
}

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
    const row = await findVersion(ctx.db, input)
    return {
      id: row.id,
      name: row.name,
      createdAt: row.createdAt.toISOString(),
      state: Buffer.from(row.state).toString('base64'),
    }
  }),
  restoreUpdate: authedProcedure.input(versionInput).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'editor')
    const row = await findVersion(ctx.db, input)
    const current = new Y.Doc()
    try {
      Y.applyUpdate(current, await ctx.songState(input.projectId))
      return { update: Buffer.from(restoreUpdate(current, row.state)).toString('base64') }
    } finally {
      current.destroy()
    }
  }),
})
