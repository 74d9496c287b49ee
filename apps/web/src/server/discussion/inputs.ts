import { CommentAnchorSchema } from '@ensemble/core'
import { z } from 'zod'
import { discussionLimits } from '../../discussion/limits'
import { projectId } from '../projects/inputs'

/**
 * Inputs of the conversation API. Bodies keep their line breaks and tabs; every other control
 * character, and the text-direction overrides that make a comment read differently than it is, are
 * refused. No author field anywhere: the author is the session's user.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to match control characters
const forbidden = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/

const body = (what: string, max: number) =>
  z
    .string()
    .max(max * 2, `${what} can be at most ${max} characters`)
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(
      z
        .string()
        .min(1, `${what} cannot be empty`)
        .max(max, `${what} can be at most ${max} characters`)
        .refine((s) => !forbidden.test(s), `${what} cannot contain control or text-direction characters`),
    )

export const commentBody = body('A comment', discussionLimits.commentChars)
export const chatBody = body('A message', discussionLimits.chatChars)

export const commentId = z.string().uuid()

export const reaction = z
  .string()
  .trim()
  .min(1)
  .max(discussionLimits.reactionChars)
  .refine((s) => !forbidden.test(s) && !/\s/.test(s), 'a reaction is one emoji or word')

export const postComment = z.strictObject({ projectId, body: commentBody, anchor: CommentAnchorSchema })
export const replyComment = z.strictObject({ projectId, parentId: commentId, body: commentBody })
export const editComment = z.strictObject({ projectId, commentId, body: commentBody })
export const byComment = z.strictObject({ projectId, commentId })
export const resolveComment = z.strictObject({ projectId, commentId, resolved: z.boolean() })
export const reactComment = z.strictObject({ projectId, commentId, emoji: reaction, on: z.boolean() })

const pageSize = z.int().min(1).max(discussionLimits.maxPageSize).default(discussionLimits.pageSize)

export const listComments = z.strictObject({
  projectId,
  status: z.enum(['open', 'resolved', 'all']).default('all'),
  authorId: z.string().min(1).max(128).optional(),
  trackId: z.string().min(1).max(64).optional(),
  /** The `cursor` of the previous page: threads started before it. */
  before: z.string().max(200).optional(),
  limit: pageSize,
})

export const postChat = z.strictObject({ projectId, body: chatBody })
export const listChat = z.strictObject({ projectId, before: z.int().min(1).optional(), limit: pageSize })
