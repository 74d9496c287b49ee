import { z } from 'zod'
import { requireRole } from '../projects/access'
import { projectId } from '../projects/inputs'
import { authedProcedure, router } from '../trpc/init'

/**
 * Room tokens for the collab server: short-lived, for members only, carrying their current role.
 * The studio asks again at half-life while the tab is open (and after a role-change close).
 */
export const roomsRouter = router({
  token: authedProcedure.input(z.object({ projectId })).mutation(async ({ ctx, input }) => {
    const role = await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const { token, expiresAt } = await ctx.signRoomToken({
      sub: ctx.user.id,
      project: input.projectId,
      role,
      name: ctx.user.name,
    })
    return { token, role, userId: ctx.user.id, name: ctx.user.name, expiresAt }
  }),
})
