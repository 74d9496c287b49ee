import { randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { and, desc, eq, exists, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import { schema } from '../db'
import { authedProcedure, router } from '../trpc/init'
import { requireRole } from './access'
import { projectId, projectName } from './inputs'
import { songOutline } from './outline'
import { retitledState, titledSong } from './song-title'

/**
 * Projects: create, list (with collaborators and last change), get, outline, rename, duplicate, delete,
 * and the owner's "Recently deleted": deleting only marks the project (nobody can open it, its
 * connections close on every instance), the owner can restore it until `projects/purge.ts`
 * removes it for good. A project's name and its song's title are one name (song-title.ts): create
 * and duplicate seed the song with it, rename writes it into the song, and a title changed in the
 * studio comes back to the row.
 */

const byId = z.object({ projectId })

const purgeAfter = (deletedAt: Date, retentionMs: number): string =>
  new Date(deletedAt.getTime() + retentionMs).toISOString()

export const projectsRouter = router({
  create: authedProcedure.input(z.object({ name: projectName })).mutation(async ({ ctx, input }) => {
    const id = randomUUID()
    await ctx.db.transaction(async (tx) => {
      await tx.insert(schema.projects).values({ id, name: input.name, createdBy: ctx.user.id })
      await tx.insert(schema.projectMembers).values({ projectId: id, userId: ctx.user.id, role: 'owner' })
    })
    await ctx.seedSong(id, titledSong(input.name))
    return { id, name: input.name }
  }),

  list: authedProcedure.query(async ({ ctx }) => {
    const { projects, projectMembers, users, documentUpdates, documentSnapshots } = schema
    const mine = await ctx.db
      .select({
        id: projects.id,
        name: projects.name,
        role: projectMembers.role,
        updatedAt: projects.updatedAt,
        // The song's own last change: its newest log row or snapshot, whichever is later.
        songChangedAt: sql<string | null>`greatest(
          (select max(${documentUpdates.createdAt}) from ${documentUpdates} where ${documentUpdates.projectId} = ${projects.id}),
          (select max(${documentSnapshots.createdAt}) from ${documentSnapshots} where ${documentSnapshots.projectId} = ${projects.id}))`,
      })
      .from(projectMembers)
      .innerJoin(projects, eq(projects.id, projectMembers.projectId))
      .where(and(eq(projectMembers.userId, ctx.user.id), isNull(projects.deletedAt)))
    if (mine.length === 0) return []
    const people = await ctx.db
      .select({
        projectId: projectMembers.projectId,
        userId: users.id,
        name: users.name,
        role: projectMembers.role,
      })
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(
        inArray(
          projectMembers.projectId,
          mine.map((p) => p.id),
        ),
      )
    return mine
      .map((p) => {
        const song = p.songChangedAt === null ? 0 : new Date(p.songChangedAt).getTime()
        const lastChange = new Date(Math.max(song, p.updatedAt.getTime())).toISOString()
        return {
          id: p.id,
          name: p.name,
          role: p.role,
          lastChange,
          collaborators: people
            .filter((m) => m.projectId === p.id)
            .map(({ userId, name, role }) => ({ userId, name, role })),
        }
      })
      .sort((a, b) => b.lastChange.localeCompare(a.lastChange))
  }),

  get: authedProcedure.input(byId).query(async ({ ctx, input }) => {
    const role = await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const [project] = await ctx.db
      .select({ id: schema.projects.id, name: schema.projects.name, createdAt: schema.projects.createdAt })
      .from(schema.projects)
      .where(eq(schema.projects.id, input.projectId))
    if (project === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such project.' })
    return { id: project.id, name: project.name, createdAt: project.createdAt.toISOString(), role }
  }),

  /** The song list's thumbnail of a song's arrangement, from the server's own copy of the song. */
  outline: authedProcedure.input(byId).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    return songOutline(await ctx.songState(input.projectId))
  }),

  rename: authedProcedure
    .input(z.object({ projectId, name: projectName }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'editor')
      await ctx.db
        .update(schema.projects)
        .set({ name: input.name, updatedAt: new Date() })
        .where(eq(schema.projects.id, input.projectId))
      await ctx.retitleSong(input.projectId, input.name)
      return { id: input.projectId, name: input.name }
    }),

  /** A new project owned by the caller, holding a copy of the song as it is now on the server. */
  duplicate: authedProcedure
    .input(z.object({ projectId, name: projectName.optional() }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
      const [source] = await ctx.db
        .select({ name: schema.projects.name })
        .from(schema.projects)
        .where(eq(schema.projects.id, input.projectId))
      if (source === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such project.' })
      const id = randomUUID()
      const name = input.name ?? `${source.name} (copy)`.slice(0, 120)
      const state = await ctx.songState(input.projectId)
      await ctx.db.transaction(async (tx) => {
        await tx.insert(schema.projects).values({ id, name, createdBy: ctx.user.id })
        await tx.insert(schema.projectMembers).values({ projectId: id, userId: ctx.user.id, role: 'owner' })
      })
      await ctx.seedSong(id, retitledState(state, name))
      return { id, name }
    }),

  delete: authedProcedure.input(byId).mutation(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
    const deletedAt = new Date()
    await ctx.db
      .update(schema.projects)
      .set({ deletedAt })
      .where(and(eq(schema.projects.id, input.projectId), isNull(schema.projects.deletedAt)))
    ctx.closeProject(input.projectId)
    return { id: input.projectId, purgeAfter: purgeAfter(deletedAt, ctx.deletedRetentionMs) }
  }),

  /** The caller's own deleted projects that can still be restored, newest first. */
  deleted: authedProcedure.query(async ({ ctx }) => {
    const { projects, projectMembers } = schema
    const since = new Date(Date.now() - ctx.deletedRetentionMs)
    const rows = await ctx.db
      .select({ id: projects.id, name: projects.name, deletedAt: projects.deletedAt })
      .from(projectMembers)
      .innerJoin(projects, eq(projects.id, projectMembers.projectId))
      .where(
        and(
          eq(projectMembers.userId, ctx.user.id),
          eq(projectMembers.role, 'owner'),
          isNotNull(projects.deletedAt),
          gt(projects.deletedAt, since),
        ),
      )
      .orderBy(desc(projects.deletedAt))
    return rows.flatMap(({ id, name, deletedAt }) =>
      deletedAt === null
        ? []
        : [
            {
              id,
              name,
              deletedAt: deletedAt.toISOString(),
              purgeAfter: purgeAfter(deletedAt, ctx.deletedRetentionMs),
            },
          ],
    )
  }),

  /** The owner brings a deleted project back, as it was, for every member. */
  restore: authedProcedure.input(byId).mutation(async ({ ctx, input }) => {
    const since = new Date(Date.now() - ctx.deletedRetentionMs)
    const [restored] = await ctx.db
      .update(schema.projects)
      .set({ deletedAt: null, updatedAt: new Date() })
      .where(
        and(
          eq(schema.projects.id, input.projectId),
          gt(schema.projects.deletedAt, since),
          exists(
            ctx.db
              .select({ one: sql`1` })
              .from(schema.projectMembers)
              .where(
                and(
                  eq(schema.projectMembers.projectId, input.projectId),
                  eq(schema.projectMembers.userId, ctx.user.id),
                  eq(schema.projectMembers.role, 'owner'),
                ),
              ),
          ),
        ),
      )
      .returning({ id: schema.projects.id, name: schema.projects.name })
    // Not deleted, past the window, not the owner, or no such project: one answer for all.
    if (restored === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such deleted song.' })
    return restored
  }),
})
