/*
 * How many suggestions each user, and each song, has running on this web server. A suggestion holds a share
 * of the inference service for seconds, so one editor with a hundred of them running would make everyone
 * else's wait; past their limit a user is told at once that they are busy, before the song is read or the
 * service is asked. The limits are per web instance; the inference service keeps its own per-user shares
 * (INFERENCE_MAX_RUNNING_PER_USER) across every instance.
 *
 * Refusals must cost next to nothing, or a flood of them is itself the load (docs/BENCHMARKS.md, "Fairness":
 * each one's session lookup queued the polite user's queries on the database's one connection). So the
 * requests are also counted by the session cookie they carry, from their arrival (before the session is
 * read) to their answer (`enterSession`), and one more than the user's limit under a cookie is refused from
 * memory. Counting from arrival, not from admission, matters: when one of a greedy user's suggestions ends,
 * all of their retries that arrive before the next one is admitted would otherwise pass the check together,
 * each with its own session lookup (200 at once at 200 in flight, queued ahead of everyone's queries). A
 * made-up cookie is refused this way only past that many requests of its own still in progress; the first
 * ones go on to the lookup and fail there.
 *
 * Every busy refusal says when trying again is worth it (`retryAfterMs`): how long a suggestion takes here
 * (a running average of those that ended), less how long the caller's oldest one has run; at least 1 s.
 */

export interface SuggestionLimits {
  /** AI_MAX_SUGGESTIONS_PER_USER: one user's suggestions running at once, across their songs. */
  perUser: number
  /** AI_MAX_SUGGESTIONS_PER_PROJECT: one song's suggestions running at once, all its editors together. */
  perProject: number
}

/** Why a suggestion was refused, in the musician's words, and when trying again is worth it (ai/errors.ts
 * turns it into the API's busy failure). */
export interface BusyRefusal {
  outcome: 'user_busy' | 'project_busy'
  message: string
  retryAfterMs: number
}

export const defaultSuggestionLimits: SuggestionLimits = { perUser: 4, perProject: 8 }

/** Counts a suggestion out again; safe to call twice. */
export type Leave = () => void

/** Until a suggestion has ended here, the time one is expected to take. */
const firstEstimateMs = 2000
const minRetryMs = 1000
/** Weight of the newest duration in the running average. */
const averaging = 0.2

const plural = (n: number) => (n === 1 ? '1 suggestion' : `${n} suggestions`)

/** The start times of a key's running suggestions, oldest first. */
type Running = Map<string, number[]>

export class SuggestionsInFlight {
  private readonly byUser: Running = new Map()
  private readonly byProject: Running = new Map()
  private readonly bySession: Running = new Map()
  private typicalMs = firstEstimateMs

  constructor(
    private readonly limits: SuggestionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts a suggestion request under its session cookie until its answer (call the leave then, whatever
   * happened), or returns the busy failure when that cookie already has its user's limit in progress:
   * decided from memory, before the session is looked up.
   */
  enterSession(sessionKey: string): { leave: Leave } | { refused: BusyRefusal } {
    const starts = this.bySession.get(sessionKey)
    if (starts && starts.length >= this.limits.perUser) return { refused: this.userBusy(starts) }
    const start = this.now()
    this.bySession.set(sessionKey, [...(starts ?? []), start])
    return { leave: once(() => remove(this.bySession, sessionKey, start)) }
  }

  /**
   * The busy failure when this user already has their limit running, whatever the song: checked before the
   * role check and the song are read.
   */
  userRefusal(userId: string): BusyRefusal | undefined {
    const starts = this.byUser.get(userId)
    if (!starts || starts.length < this.limits.perUser) return undefined
    return this.userBusy(starts)
  }

  /** Counts the suggestion in, or returns the busy failure that refuses it (nothing is counted then). */
  enter(userId: string, projectId: string): { leave: Leave } | { refused: BusyRefusal } {
    const refused = this.userRefusal(userId)
    if (refused) return { refused }
    const song = this.byProject.get(projectId) ?? []
    if (song.length >= this.limits.perProject)
      return {
        refused: {
          outcome: 'project_busy',
          message: `This song already has ${plural(song.length)} running (yours and your bandmates’); try again when one finishes.`,
          retryAfterMs: this.retryAfterMs(song),
        },
      }
    const start = this.now()
    const counted: [Running, string][] = [
      [this.byUser, userId],
      [this.byProject, projectId],
    ]
    for (const [running, key] of counted) running.set(key, [...(running.get(key) ?? []), start])
    return {
      leave: once(() => {
        for (const [running, key] of counted) remove(running, key, start)
        this.typicalMs += averaging * (this.now() - start - this.typicalMs)
      }),
    }
  }

  private userBusy(starts: readonly number[]): BusyRefusal {
    return {
      outcome: 'user_busy',
      message: `You already have ${plural(starts.length)} running; try again when one finishes.`,
      retryAfterMs: this.retryAfterMs(starts),
    }
  }

  /** When the oldest of these running suggestions should be done. */
  private retryAfterMs(starts: readonly number[]): number {
    const oldest = Math.min(...starts)
    return Math.max(minRetryMs, Math.round(this.typicalMs - (this.now() - oldest)))
  }
}

function once(leave: () => void): Leave {
  let left = false
  return () => {
    if (left) return
    left = true
    leave()
  }
}

function remove(running: Running, key: string, start: number): void {
  const starts = running.get(key)
  if (!starts) return
  const at = starts.indexOf(start)
  if (at >= 0) starts.splice(at, 1)
  if (starts.length === 0) running.delete(key)
}
