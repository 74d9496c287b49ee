import { randomUUID } from 'node:crypto'
import { type PlacedAnchor, placeAnchor, readSong } from '@ensemble/core'
import { TRPCError } from '@trpc/server'
import { and, eq, isNull, lt } from 'drizzle-orm'
import * as Y from 'yjs'
import { z } from 'zod'
import type { CommentView, DiscussionEvent } from '../../discussion/events'
import { discussionLimits } from '../../discussion/limits'
import { findMentions } from '../../discussion/mentions'
import type { Role } from '../collab/tokens'
import { schema } from '../db'
import { requireRole } from '../projects/access'
import { projectId } from '../projects/inputs'
import { type AuthedContext, authedProcedure, router } from '../trpc/init'
import {
  byComment,
  editComment,
  listChat,
  listComments,
  postChat,
  postComment,
  reactComment,
  replyComment,
  resolveComment,
} from './inputs'
import { chatViews, commentView, threadPage, unreadCounts, writtenLastMinute } from './store'

/**
 * A song's conversation: comments anchored to the music (`comments.*`), its chat (`chat.*`), and what is
 * unread and who may take part (`discussion.*`). Every write takes its author from the session, commits,
 * and only then is announced live (`notifyDiscussion`: the song's connections here and, scaled out, on
 * every instance), so an event a client sees is always stored.
 *
 * Who: any member reads. Editors and the owner write; viewers write too unless the owner turned that
 * off (`projects.viewer_comments`); they never edit the song. Everyone edits and deletes their own; the
 * owner deletes anyone's. Strangers get NOT_FOUND, as everywhere.
 */

const { comments, commentReactions, chatMessages, discussionReads, projects, projectMembers, users } = schema

async function requireCommenter(ctx: AuthedContext, project: string): Promise<Role> {
  const role = await requireRole(ctx.db, project, ctx.user.id, 'viewer')
  if (role !== 'viewer') return role
  const [row] = await ctx.db
    .select({ viewerComments: projects.viewerComments })
    .from(projects)
    .where(eq(projects.id, project))
  if (row?.viewerComments !== true)
    throw new TRPCError({ code: 'FORBIDDEN', message: 'The owner has turned off comments from viewers.' })
  return role
}

const tooMany = (what: string, perMinute: number) =>
  new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `You can send at most ${perMinute} ${what} a minute; wait a moment.`,
  })

/**
 * The rate limits: this instance's count first (a flood is refused before any database work), then the
 * user's rows of the last minute on every instance.
 */
async function takeRate(ctx: AuthedContext, kind: 'comments' | 'chat'): Promise<void> {
  const perMinute = kind === 'comments' ? discussionLimits.commentsPerMinute : discussionLimits.chatPerMinute
  const what = kind === 'comments' ? 'comments' : 'messages'
  if (!ctx.discussionRates[kind].take(ctx.user.id)) throw tooMany(what, perMinute)
  if ((await writtenLastMinute(ctx.db, kind, ctx.user.id)) >= perMinute) throw tooMany(what, perMinute)
}

async function membersOf(ctx: AuthedContext, project: string) {
  return ctx.db
    .select({ userId: projectMembers.userId, name: users.name })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, project))
}

async function mentionsIn(ctx: AuthedContext, project: string, body: string): Promise<string[]> {
  return findMentions(body, await membersOf(ctx, project)).filter((id) => id !== ctx.user.id)
}

function announce(ctx: AuthedContext, project: string, event: DiscussionEvent): void {
  ctx.notifyDiscussion(project, JSON.stringify(event))
}

/** The stored comment with its current reactions, announced to everyone in the song. */
async function announceComment(ctx: AuthedContext, id: string): Promise<CommentView> {
  const view = await commentView(ctx.db, id)
  if (view === null) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such comment.' })
  announce(ctx, view.projectId, { type: 'comment', comment: view })
  return view
}

/** Stores a comment or a reply by the session's user (never a client-named author), and announces it. */
async function storeComment(
  ctx: AuthedContext,
  project: string,
  body: string,
  place: { anchor: PlacedAnchor } | { parentId: string },
): Promise<CommentView> {
  const id = randomUUID()
  await ctx.db.insert(comments).values({
    id,
    projectId: project,
    authorId: ctx.user.id,
    body,
    ...place,
    mentions: await mentionsIn(ctx, project, body),
    createdAt: new Date(),
  })
  return announceComment(ctx, id)
}

async function requireComment(ctx: AuthedContext, project: string, id: string) {
  const [row] = await ctx.db
    .select()
    .from(comments)
    .where(and(eq(comments.id, id), eq(comments.projectId, project)))
  if (row === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such comment.' })
  return row
}

export const commentsRouter = router({
  list: authedProcedure.input(listComments).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    return threadPage(ctx.db, input)
  }),

  /** Starts a thread at a place in the song. The anchor must name music of this very song. */
  post: authedProcedure.input(postComment).mutation(async ({ ctx, input }) => {
    await takeRate(ctx, 'comments')
    await requireCommenter(ctx, input.projectId)
    const doc = new Y.Doc()
    Y.applyUpdate(doc, await ctx.songState(input.projectId))
    const placed = placeAnchor(readSong(doc), input.anchor)
    doc.destroy()
    if (!placed.ok) throw new TRPCError({ code: 'BAD_REQUEST', message: placed.reason })
    return storeComment(ctx, input.projectId, input.body, { anchor: placed.anchor })
  }),

  reply: authedProcedure.input(replyComment).mutation(async ({ ctx, input }) => {
    await takeRate(ctx, 'comments')
    await requireCommenter(ctx, input.projectId)
    const parent = await requireComment(ctx, input.projectId, input.parentId)
    if (parent.parentId !== null)
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'Reply to the thread, not to a reply.' })
    return storeComment(ctx, input.projectId, input.body, { parentId: parent.id })
  }),

  edit: authedProcedure.input(editComment).mutation(async ({ ctx, input }) => {
    await takeRate(ctx, 'comments')
    await requireCommenter(ctx, input.projectId)
    const row = await requireComment(ctx, input.projectId, input.commentId)
    if (row.authorId !== ctx.user.id)
      throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only edit your own comments.' })
    await ctx.db
      .update(comments)
      .set({
        body: input.body,
        mentions: await mentionsIn(ctx, input.projectId, input.body),
        editedAt: new Date(),
      })
      .where(eq(comments.id, row.id))
    return announceComment(ctx, row.id)
  }),

  /** Your own, or anyone's if you own the song (moderation). A thread's first comment takes its replies. */
  delete: authedProcedure.input(byComment).mutation(async ({ ctx, input }) => {
    const role = await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const row = await requireComment(ctx, input.projectId, input.commentId)
    if (row.authorId !== ctx.user.id && role !== 'owner')
      throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only delete your own comments.' })
    await ctx.db.delete(comments).where(eq(comments.id, row.id))
    announce(ctx, input.projectId, { type: 'comment-deleted', id: row.id, projectId: input.projectId })
    return { id: row.id }
  }),

  resolve: authedProcedure.input(resolveComment).mutation(async ({ ctx, input }) => {
    await requireCommenter(ctx, input.projectId)
    const row = await requireComment(ctx, input.projectId, input.commentId)
    if (row.parentId !== null)
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'Resolve the thread, not a reply.' })
    await ctx.db
      .update(comments)
      .set(
        input.resolved
          ? { resolvedAt: new Date(), resolvedBy: ctx.user.id }
          : { resolvedAt: null, resolvedBy: null },
      )
      .where(eq(comments.id, row.id))
    return announceComment(ctx, row.id)
  }),

  react: authedProcedure.input(reactComment).mutation(async ({ ctx, input }) => {
    await takeRate(ctx, 'comments')
    await requireCommenter(ctx, input.projectId)
    const row = await requireComment(ctx, input.projectId, input.commentId)
    const key = { commentId: row.id, userId: ctx.user.id, emoji: input.emoji }
    if (input.on) await ctx.db.insert(commentReactions).values(key).onConflictDoNothing()
    else
      await ctx.db
        .delete(commentReactions)
        .where(
          and(
            eq(commentReactions.commentId, key.commentId),
            eq(commentReactions.userId, key.userId),
            eq(commentReactions.emoji, key.emoji),
          ),
        )
    return announceComment(ctx, row.id)
  }),
})

export const chatRouter = router({
  /** The newest page, or the page before `before` (a seq): oldest first within the page. */
  list: authedProcedure.input(listChat).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const where =
      input.before === undefined
        ? eq(chatMessages.projectId, input.projectId)
        : and(eq(chatMessages.projectId, input.projectId), lt(chatMessages.seq, input.before))
    const messages = await chatViews(
      ctx.db,
      where ?? eq(chatMessages.projectId, input.projectId),
      input.limit + 1,
    )
    const more = messages.length > input.limit
    return { messages: more ? messages.slice(1) : messages, hasMore: more }
  }),

  post: authedProcedure.input(postChat).mutation(async ({ ctx, input }) => {
    await takeRate(ctx, 'chat')
    await requireCommenter(ctx, input.projectId)
    const id = randomUUID()
    await ctx.db.insert(chatMessages).values({
      id,
      projectId: input.projectId,
      authorId: ctx.user.id,
      body: input.body,
      createdAt: new Date(),
    })
    const [message] = await chatViews(ctx.db, eq(chatMessages.id, id), 1)
    if (message === undefined)
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Message lost.' })
    announce(ctx, input.projectId, { type: 'chat', message })
    return message
  }),
})

const byProject = z.strictObject({ projectId })

export const discussionRouter = router({
  /** Per live song of the caller's: messages and mentions since they last read it (the song list). */
  unread: authedProcedure.query(({ ctx }) => unreadCounts(ctx.db, ctx.user.id)),

  markRead: authedProcedure.input(byProject).mutation(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const readAt = new Date()
    await ctx.db
      .insert(discussionReads)
      .values({ projectId: input.projectId, userId: ctx.user.id, readAt })
      .onConflictDoUpdate({ target: [discussionReads.projectId, discussionReads.userId], set: { readAt } })
    return { readAt: readAt.toISOString() }
  }),

  /** What the studio needs to draw the panels: may the caller write, and may viewers. */
  settings: authedProcedure.input(byProject).query(async ({ ctx, input }) => {
    const role = await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    const [row] = await ctx.db
      .select({ viewerComments: projects.viewerComments })
      .from(projects)
      .where(and(eq(projects.id, input.projectId), isNull(projects.deletedAt)))
    const viewerComments = row?.viewerComments ?? false
    return { role, viewerComments, canComment: role !== 'viewer' || viewerComments }
  }),

  setViewerComments: authedProcedure
    .input(z.strictObject({ projectId, allowed: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'owner')
      await ctx.db
        .update(projects)
        .set({ viewerComments: input.allowed, updatedAt: new Date() })
        .where(eq(projects.id, input.projectId))
      return { viewerComments: input.allowed }
    }),
})
