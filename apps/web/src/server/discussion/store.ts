import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm'
import type pg from 'pg'
import type { ChatView, CommentView, ReactionView } from '../../discussion/events'
import { type Db, schema } from '../db'
import type { CommentRow } from '../db/schema'

/**
 * Reading and counting the conversation (the router writes). Views join the author's current name and
 * the reactions, so the API and the live events carry the same shape.
 */

const { comments, commentReactions, chatMessages, users } = schema

const commentColumns = {
  row: comments,
  authorName: users.name,
}

export async function commentViews(
  db: Db,
  where: SQL,
  order: 'asc' | 'desc' = 'asc',
): Promise<CommentView[]> {
  const rows = await db
    .select(commentColumns)
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(where)
    .orderBy(order === 'asc' ? asc(comments.createdAt) : desc(comments.createdAt), asc(comments.id))
  return withReactions(db, rows)
}

export async function commentView(db: Db, id: string): Promise<CommentView | null> {
  const [view] = await commentViews(db, eq(comments.id, id))
  return view ?? null
}

async function withReactions(
  db: Db,
  rows: readonly { row: CommentRow; authorName: string | null }[],
): Promise<CommentView[]> {
  const ids = rows.map((r) => r.row.id)
  const reactions =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(commentReactions)
          .where(inArray(commentReactions.commentId, ids))
          .orderBy(asc(commentReactions.createdAt))
  const byComment = new Map<string, ReactionView[]>()
  for (const r of reactions) {
    const list = byComment.get(r.commentId) ?? []
    const entry = list.find((e) => e.emoji === r.emoji)
    if (entry === undefined) list.push({ emoji: r.emoji, userIds: [r.userId] })
    else entry.userIds.push(r.userId)
    byComment.set(r.commentId, list)
  }
  return rows.map(({ row, authorName }) => ({
    id: row.id,
    projectId: row.projectId,
    parentId: row.parentId,
    authorId: row.authorId,
    authorName,
    body: row.body,
    anchor: row.anchor ?? null,
    mentions: row.mentions,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolvedBy: row.resolvedBy,
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    reactions: byComment.get(row.id) ?? [],
  }))
}

export interface ThreadFilter {
  projectId: string
  status: 'open' | 'resolved' | 'all'
  authorId?: string | undefined
  trackId?: string | undefined
  before?: string | undefined
  limit: number
}

/** A cursor is the last thread's creation time and id: stable while new threads arrive. */
const encodeCursor = (c: { createdAt: string; id: string }) => `${c.createdAt}|${c.id}`
function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [at, id] = cursor.split('|')
  const createdAt = new Date(at ?? '')
  return id === undefined || Number.isNaN(createdAt.getTime()) ? null : { createdAt, id }
}

/** A page of threads, newest first: each thread's first comment followed by its replies, oldest first. */
export async function threadPage(
  db: Db,
  filter: ThreadFilter,
): Promise<{ comments: CommentView[]; nextCursor: string | null }> {
  const conditions: SQL[] = [eq(comments.projectId, filter.projectId), isNull(comments.parentId)]
  if (filter.status === 'open') conditions.push(isNull(comments.resolvedAt))
  if (filter.status === 'resolved') conditions.push(isNotNull(comments.resolvedAt))
  if (filter.authorId !== undefined) conditions.push(eq(comments.authorId, filter.authorId))
  if (filter.trackId !== undefined) conditions.push(sql`${comments.anchor}->>'trackId' = ${filter.trackId}`)
  const cursor = filter.before === undefined ? null : decodeCursor(filter.before)
  if (cursor !== null) {
    const older = or(
      lt(comments.createdAt, cursor.createdAt),
      and(eq(comments.createdAt, cursor.createdAt), lt(comments.id, cursor.id)),
    )
    if (older !== undefined) conditions.push(older)
  }
  const rows = await db
    .select(commentColumns)
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(...conditions))
    .orderBy(desc(comments.createdAt), desc(comments.id))
    .limit(filter.limit + 1)
  const page = rows.slice(0, filter.limit)
  const roots = await withReactions(db, page)
  const replies =
    roots.length === 0
      ? []
      : await commentViews(
          db,
          inArray(
            comments.parentId,
            roots.map((r) => r.id),
          ),
        )
  const last = roots.at(-1)
  return {
    comments: [...roots, ...replies],
    nextCursor: rows.length > filter.limit && last !== undefined ? encodeCursor(last) : null,
  }
}

export async function chatViews(db: Db, where: SQL, limit: number): Promise<ChatView[]> {
  const rows = await db
    .select({ row: chatMessages, authorName: users.name })
    .from(chatMessages)
    .leftJoin(users, eq(users.id, chatMessages.authorId))
    .where(where)
    .orderBy(desc(chatMessages.seq))
    .limit(limit)
  return rows.reverse().map(({ row, authorName }) => ({
    id: row.id,
    seq: row.seq,
    projectId: row.projectId,
    authorId: row.authorId,
    authorName,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
  }))
}

/** Rows the user wrote in the last minute, on every instance: the cross-instance rate limit. */
export async function writtenLastMinute(db: Db, table: 'comments' | 'chat', userId: string): Promise<number> {
  const since = new Date(Date.now() - 60_000)
  const [row] =
    table === 'comments'
      ? await db
          .select({ n: count() })
          .from(comments)
          .where(and(eq(comments.authorId, userId), gt(comments.createdAt, since)))
      : await db
          .select({ n: count() })
          .from(chatMessages)
          .where(and(eq(chatMessages.authorId, userId), gt(chatMessages.createdAt, since)))
  return row?.n ?? 0
}

export interface UnreadCounts {
  projectId: string
  /** Comments, replies and chat messages by others since the member last read the song's conversation. */
  unread: number
  /** Of those, comments that mention the member. */
  mentions: number
}

/** For the song list: every live song of the user's, with what is new there since they last looked. */
export async function unreadCounts(db: Db, userId: string): Promise<UnreadCounts[]> {
  const result = await db.execute(sql`
    select m.project_id,
      (select count(*) from comments c
        where c.project_id = m.project_id and c.author_id is distinct from ${userId}
          and c.created_at > coalesce(r.read_at, m.joined_at))
      + (select count(*) from chat_messages ch
        where ch.project_id = m.project_id and ch.author_id is distinct from ${userId}
          and ch.created_at > coalesce(r.read_at, m.joined_at)) as unread,
      (select count(*) from comments c
        where c.project_id = m.project_id and c.author_id is distinct from ${userId}
          and c.created_at > coalesce(r.read_at, m.joined_at)
          and c.mentions @> jsonb_build_array(${userId}::text)) as mentions
    from project_members m
    join projects p on p.id = m.project_id and p.deleted_at is null
    left join discussion_reads r on r.project_id = m.project_id and r.user_id = m.user_id
    where m.user_id = ${userId}`)
  // Both drivers are node-postgres underneath (see db/update-log.ts): a QueryResult.
  const { rows } = result as unknown as pg.QueryResult<{
    project_id: string
    unread: string
    mentions: string
  }>
  return rows.map((r) => ({
    projectId: r.project_id,
    unread: Number(r.unread),
    mentions: Number(r.mentions),
  }))
}
