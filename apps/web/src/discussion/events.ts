import { z } from 'zod'

/**
 * What the server tells a song's open studios about its conversation, live, on the collab connection
 * (message type 101, docs/PROTOCOL.md), and what the API returns: one shape for both. Browser-safe.
 */

const iso = z.string().max(40)
const id = z.string().min(1).max(128)

export const AnchorViewSchema = z.strictObject({
  start: z.number(),
  end: z.number(),
  trackId: z.string().max(64).optional(),
  clipId: z.string().max(64).optional(),
  noteIds: z.array(z.string().max(64)).max(256).optional(),
  clipStart: z.number().optional(),
})
export type AnchorView = z.infer<typeof AnchorViewSchema>

export const ReactionViewSchema = z.strictObject({
  emoji: z.string().max(32),
  userIds: z.array(id).max(1000),
})
export type ReactionView = z.infer<typeof ReactionViewSchema>

export const CommentViewSchema = z.strictObject({
  id,
  projectId: id,
  parentId: id.nullable(),
  authorId: id.nullable(),
  authorName: z.string().max(200).nullable(),
  body: z.string().max(8000),
  anchor: AnchorViewSchema.nullable(),
  mentions: z.array(id).max(100),
  resolvedAt: iso.nullable(),
  resolvedBy: id.nullable(),
  createdAt: iso,
  editedAt: iso.nullable(),
  reactions: z.array(ReactionViewSchema).max(100),
})
export type CommentView = z.infer<typeof CommentViewSchema>

export const ChatViewSchema = z.strictObject({
  id,
  seq: z.number(),
  projectId: id,
  authorId: id.nullable(),
  authorName: z.string().max(200).nullable(),
  body: z.string().max(4000),
  createdAt: iso,
})
export type ChatView = z.infer<typeof ChatViewSchema>

export const DiscussionEventSchema = z.discriminatedUnion('type', [
  /** A comment was written, edited, resolved, reopened or reacted to: its whole current state. */
  z.strictObject({ type: z.literal('comment'), comment: CommentViewSchema }),
  z.strictObject({ type: z.literal('comment-deleted'), id, projectId: id }),
  z.strictObject({ type: z.literal('chat'), message: ChatViewSchema }),
])
export type DiscussionEvent = z.infer<typeof DiscussionEventSchema>
