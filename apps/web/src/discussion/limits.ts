/**
 * The limits of a song's conversation, one place for the server that enforces them and the studio that
 * counts characters against them.
 */
export const discussionLimits = {
  /** A comment is a paragraph or a few, not a document. */
  commentChars: 4000,
  chatChars: 2000,
  /** Per user, per minute, over comments, replies and edits; and over chat messages. */
  commentsPerMinute: 30,
  chatPerMinute: 60,
  /** A page of history. */
  pageSize: 50,
  maxPageSize: 200,
  /** Reactions are one short emoji or word each. */
  reactionChars: 16,
} as const
