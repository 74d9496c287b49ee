import { TRPCError } from '@trpc/server'
import { and, asc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { schema } from '../db'
import { requireRole } from '../projects/access'
import { projectId } from '../projects/inputs'
import { authedProcedure, router } from '../trpc/init'

/**
 * Members: list, change role, remove, leave, transfer ownership. Exactly one owner at all times:
 * the owner's role changes only through `transferOwnership` (and a partial unique index backs it).
 * Every change is pushed to open collab connections through `setAccess`.
 */

const memberInput = z.object({ projectId, userId: z.string().min(1).max(200) })
const grantable = z.enum(['editor', 'viewer'])

async function targetRole(ctx: { db: import('../db').Db }, projectId: string, userId: string) {
  const [row] = await ctx.db
    .select({ role: schema.projectMembers.role })
    .from(schema.projectMembers)
    .where(and(eq(schema.projectMembers.projectId, projectId), eq(schema.projectMembers.userId, userId)))
  if (row === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: 'That person is not a member.' })
  return row.role
}

const touch = (db: import('../db').Db, id: string) =>
  db.update(schema.projects).set({ updatedAt: new Date() }).where(eq(schema.projects.id, id))

export const membersRouter = router({
  /** Everyone sees names and roles; only the owner, who manages the members, sees their emails. */
  list: authedProcedure.input(z.object({ projectId })).query(async ({ ctx, input }) => {
    const role = await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const rows = await ctx.db
      .select({
        userId: schema.users.id,
        name: schema.users.name,
        email: schema.users.email,
        role: schema.projectMembers.role,
        joinedAt: schema.projectMembers.joinedAt,
      })
      .from(schema.projectMembers)
      .innerJoin(schema.users, eq(schema.users.id, schema.projectMembers.userId))
      .where(eq(schema.projectMembers.projectId, input.projectId))
      .orderBy(asc(schema.projectMembers.joinedAt))
    return rows.map(({ email, ...r }) => ({
      ...r,
      ...(role === 'owner' ? { email } : {}),
      joinedAt: r.joinedAt.toISOString(),
    }))
  }),

  changeRole: authedProcedure
    .input(memberInput.extend({ role: grantable }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
      const current = await targetRole(ctx, input.projectId, input.userId)
      if (current === 'owner')
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'Transfer ownership to change the owner’s role.',
        })
      await ctx.db
        .update(schema.projectMembers)
        .set({ role: input.role })
        .where(
          and(
            eq(schema.projectMembers.projectId, input.projectId),
            eq(schema.projectMembers.userId, input.userId),
          ),
        )
      await touch(ctx.db, input.projectId)
      ctx.setAccess(input.projectId, input.userId, input.role)
      return { userId: input.userId, role: input.role }
    }),

  remove: authedProcedure.input(memberInput).mutation(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
    const current = await targetRole(ctx, input.projectId, input.userId)
    if (current === 'owner')
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: 'The owner cannot be removed; transfer ownership first.',
      })
    await ctx.db
      .delete(schema.projectMembers)
      .where(
        and(
          eq(schema.projectMembers.projectId, input.projectId),
          eq(schema.projectMembers.userId, input.userId),
        ),
      )
    await touch(ctx.db, input.projectId)
    ctx.setAccess(input.projectId, input.userId, null)
    return { userId: input.userId }
  }),

  leave: authedProcedure.input(z.object({ projectId })).mutation(async ({ ctx, input }) => {
    const role = await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    if (role === 'owner')
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: 'The owner cannot leave; transfer ownership or delete the project.',
      })
    await ctx.db
      .delete(schema.projectMembers)
      .where(
        and(
          eq(schema.projectMembers.projectId, input.projectId),
          eq(schema.projectMembers.userId, ctx.user.id),
        ),
      )
    await touch(ctx.db, input.projectId)
    ctx.setAccess(input.projectId, ctx.user.id, null)
    return { projectId: input.projectId }
  }),

  /** The new owner must already be a member; the old owner becomes an editor. One transaction. */
  transferOwnership: authedProcedure.input(memberInput).mutation(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
    if (input.userId === ctx.user.id)
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'You already own this project.' })
    await targetRole(ctx, input.projectId, input.userId)
    const where = (userId: string) =>
      and(eq(schema.projectMembers.projectId, input.projectId), eq(schema.projectMembers.userId, userId))
    await ctx.db.transaction(async (tx) => {
      // Demote first: the one-owner index is checked per statement.
      await tx.update(schema.projectMembers).set({ role: 'editor' }).where(where(ctx.user.id))
      await tx.update(schema.projectMembers).set({ role: 'owner' }).where(where(input.userId))
    })
    await touch(ctx.db, input.projectId)
    ctx.setAccess(input.projectId, ctx.user.id, 'editor')
    ctx.setAccess(input.projectId, input.userId, 'owner')
    return { owner: input.userId }
  }),
})
