import { type AuthorChanges, ChangeSummariser } from '@ensemble/core'
import { z } from 'zod'
import type { Db } from '../db'
import { requireRole } from '../projects/access'
import { projectId } from '../projects/inputs'
import { authedProcedure, router } from '../trpc/init'
import { authorNames, headSeq, readChangesSince, readVisit, recordVisit } from './change-log'

/**
 * "What changed since you left". A member's last visit is a seq of the song's log (`song_visits`);
 * `since` summarises every logged edit after it by anyone else, grouped by person and track, from
 * the server's log and classified changes (change-log.ts), never from the browser's copy. `markSeen`
 * moves the visit forward: the studio calls it on a first visit, on "Mark as seen", and when the
 * member leaves the song with nothing unread.
 */

/** Lines in one summary; the rest are counted ("and N more"). */
export const MAX_SUMMARY_ITEMS = 40

export interface AuthorSummary extends AuthorChanges {
  /** The author's display name; null for the server's own writes. */
  authorName: string | null
}

export interface SinceSummary {
  /** The member has no recorded visit: nothing to summarise yet (the studio records one). */
  firstVisit: boolean
  seenSeq: number
  /** The log's head when this was read: "Mark as seen" records it, so later edits stay unread. */
  headSeq: number
  authors: AuthorSummary[]
  omittedItems: number
  unclassifiedEdits: number
}

export async function summariseSince(db: Db, project: string, userId: string): Promise<SinceSummary> {
  const [seen, head] = await Promise.all([readVisit(db, project, userId), headSeq(db, project)])
  const empty = { authors: [], omittedItems: 0, unclassifiedEdits: 0 }
  if (seen === null) return { firstVisit: true, seenSeq: head, headSeq: head, ...empty }
  const { entries, uncounted } = await readChangesSince(db, project, seen, userId)
  const summariser = new ChangeSummariser()
  for (const entry of entries) summariser.add(entry.authorId, entry.changes)
  for (const [authorId, edits] of uncounted) summariser.addUncounted(authorId, edits)
  const summary = summariser.summary(MAX_SUMMARY_ITEMS)
  const ids = summary.authors.flatMap((a) => (a.authorId === null ? [] : [a.authorId]))
  const names = await authorNames(db, ids)
  return {
    firstVisit: false,
    seenSeq: seen,
    headSeq: Math.max(head, entries.at(-1)?.seq ?? 0),
    authors: summary.authors.map((a) => ({
      ...a,
      authorName: a.authorId === null ? null : (names.get(a.authorId) ?? 'A former member'),
    })),
    omittedItems: summary.omittedItems,
    unclassifiedEdits: summary.unclassifiedEdits,
  }
}

export const changesRouter = router({
  since: authedProcedure.input(z.object({ projectId })).query(async ({ ctx, input }) => {
    await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
    return summariseSince(ctx.db, input.projectId, ctx.user.id)
  }),

  /** `upToSeq`: the head a summary was read at (edits after it stay unread); absent: the log's head now. */
  markSeen: authedProcedure
    .input(z.object({ projectId, upToSeq: z.int().min(0).optional() }))
    .mutation(async ({ ctx, input }) => {
      await requireRole(ctx.db, input.projectId, ctx.user.id, 'viewer')
      const head = await headSeq(ctx.db, input.projectId)
      const seenSeq = await recordVisit(
        ctx.db,
        input.projectId,
        ctx.user.id,
        Math.min(input.upToSeq ?? head, head),
      )
      return { seenSeq }
    }),
})
