import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm'
import { z } from 'zod'
import { schema } from '../db'
import { memberRole, requireRole } from '../projects/access'
import { projectId } from '../projects/inputs'
import { authedProcedure, router } from '../trpc/init'

/**
 * Invite links: `/invite/<secret>`, with a role (editor | viewer), a usage limit and an expiry.
 * Only the SHA-256 of the secret is stored. Accepting spends one use atomically (a single
 * conditional UPDATE), so concurrent accepts can never exceed the limit.
 */

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex')
const secretInput = z.object({ secret: z.string().min(16).max(200) })

export const invitePath = (secret: string) => `/invite/${secret}`

async function explainUnusable(db: import('../db').Db, tokenHash: string): Promise<never> {
  const [invite] = await db
    .select({
      revokedAt: schema.projectInvites.revokedAt,
      expiresAt: schema.projectInvites.expiresAt,
      projectDeletedAt: schema.projects.deletedAt,
    })
    .from(schema.projectInvites)
    .innerJoin(schema.projects, eq(schema.projects.id, schema.projectInvites.projectId))
    .where(eq(schema.projectInvites.tokenHash, tokenHash))
  // A deleted project's links read as unknown ones: nobody outside learns it existed.
  const message =
    invite === undefined || invite.projectDeletedAt !== null
      ? 'This invite link is not valid.'
      : invite.revokedAt !== null
        ? 'This invite link was revoked.'
        : invite.expiresAt.getTime() <= Date.now()
          ? 'This invite link has expired.'
          : 'This invite link has been used up.'
  const unknown = invite === undefined || invite.projectDeletedAt !== null
  throw new TRPCError({ code: unknown ? 'NOT_FOUND' : 'FORBIDDEN', message })
}

export const invitesRouter = router({
  create: authedProcedure
    .input(
      z.object({
        projectId,
        role: z.enum(['editor', 'viewer']),
        maxUses: z.number().int().min(1).max(100).default(1),
        expiresInHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(72),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
      const secret = randomBytes(24).toString('base64url')
      const id = randomUUID()
      const expiresAt = new Date(Date.now() + input.expiresInHours * 3600_000)
      await ctx.db.insert(schema.projectInvites).values({
        id,
        projectId: input.projectId,
        tokenHash: hash(secret),
        role: input.role,
        maxUses: input.maxUses,
        expiresAt,
        createdBy: ctx.user.id,
      })
      return {
        id,
        secret,
        path: invitePath(secret),
        role: input.role,
        maxUses: input.maxUses,
        expiresAt: expiresAt.toISOString(),
      }
    }),

  list: authedProcedure.input(z.object({ projectId })).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
    const rows = await ctx.db
      .select()
      .from(schema.projectInvites)
      .where(eq(schema.projectInvites.projectId, input.projectId))
      .orderBy(desc(schema.projectInvites.createdAt))
    return rows.map((r) => ({
      id: r.id,
      role: r.role,
      uses: r.uses,
      maxUses: r.maxUses,
      expiresAt: r.expiresAt.toISOString(),
      revoked: r.revokedAt !== null,
      active: r.revokedAt === null && r.uses < r.maxUses && r.expiresAt.getTime() > Date.now(),
    }))
  }),

  revoke: authedProcedure
    .input(z.object({ projectId, inviteId: z.string().uuid() }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
      const revoked = await ctx.db
        .update(schema.projectInvites)
        .set({ revokedAt: new Date() })
        .where(
          and(
            eq(schema.projectInvites.id, input.inviteId),
            eq(schema.projectInvites.projectId, input.projectId),
          ),
        )
        .returning({ id: schema.projectInvites.id })
      if (revoked.length === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such invite.' })
      return { id: input.inviteId }
    }),

  /** What the invite page shows before accepting: the project's name and the role offered. */
  peek: authedProcedure.input(secretInput).query(async ({ ctx, input }) => {
    const [row] = await ctx.db
      .select({
        projectId: schema.projects.id,
        projectName: schema.projects.name,
        role: schema.projectInvites.role,
        revokedAt: schema.projectInvites.revokedAt,
        expiresAt: schema.projectInvites.expiresAt,
        uses: schema.projectInvites.uses,
        maxUses: schema.projectInvites.maxUses,
      })
      .from(schema.projectInvites)
      .innerJoin(schema.projects, eq(schema.projects.id, schema.projectInvites.projectId))
      .where(and(eq(schema.projectInvites.tokenHash, hash(input.secret)), isNull(schema.projects.deletedAt)))
    if (
      row === undefined ||
      row.revokedAt !== null ||
      row.expiresAt.getTime() <= Date.now() ||
      row.uses >= row.maxUses
    )
      return explainUnusable(ctx.db, hash(input.secret))
    const current = await memberRole(ctx.db, row.projectId, ctx.user.id)
    return {
      projectId: row.projectId,
      projectName: row.projectName,
      role: row.role,
      alreadyMember: current !== null,
    }
  }),

  accept: authedProcedure.input(secretInput).mutation(async ({ ctx, input }) => {
    const tokenHash = hash(input.secret)
    const [invite] = await ctx.db
      .select({ projectId: schema.projectInvites.projectId })
      .from(schema.projectInvites)
      .innerJoin(schema.projects, eq(schema.projects.id, schema.projectInvites.projectId))
      .where(and(eq(schema.projectInvites.tokenHash, tokenHash), isNull(schema.projects.deletedAt)))
    if (invite === undefined) return explainUnusable(ctx.db, tokenHash)
    const current = await memberRole(ctx.db, invite.projectId, ctx.user.id)
    // Already in: no use is spent and the role is left alone (an invite never demotes).
    if (current !== null) return { projectId: invite.projectId, role: current }
    const role = await ctx.db.transaction(async (tx) => {
      const [spent] = await tx
        .update(schema.projectInvites)
        .set({ uses: sql`${schema.projectInvites.uses} + 1` })
        .where(
          and(
            eq(schema.projectInvites.tokenHash, tokenHash),
            isNull(schema.projectInvites.revokedAt),
            gt(schema.projectInvites.expiresAt, new Date()),
            lt(schema.projectInvites.uses, schema.projectInvites.maxUses),
          ),
        )
        .returning({ role: schema.projectInvites.role })
      if (spent === undefined) return null
      await tx
        .insert(schema.projectMembers)
        .values({ projectId: invite.projectId, userId: ctx.user.id, role: spent.role })
        .onConflictDoNothing()
      return spent.role
    })
    if (role === null) return explainUnusable(ctx.db, tokenHash)
    return { projectId: invite.projectId, role }
  }),
})
