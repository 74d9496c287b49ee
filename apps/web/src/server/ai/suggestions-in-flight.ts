import { type AiFailure, aiFailure } from './errors'

/*
 * How many suggestions each user, and each song, has running on this web server. A suggestion holds a share
 * of the inference service for seconds, so one editor with a hundred of them running would make everyone
 * else's wait; past their limit a user is told at once that they are busy, before the song is read or the
 * service is asked. The limits are per web instance; the inference service keeps its own per-user shares
 * (INFERENCE_MAX_RUNNING_PER_USER) across every instance.
 */

export interface SuggestionLimits {
  /** AI_MAX_SUGGESTIONS_PER_USER: one user's suggestions running at once, across their songs. */
  perUser: number
  /** AI_MAX_SUGGESTIONS_PER_PROJECT: one song's suggestions running at once, all its editors together. */
  perProject: number
}

export const defaultSuggestionLimits: SuggestionLimits = { perUser: 4, perProject: 8 }

/** Counts a suggestion out again; safe to call twice. */
export type Leave = () => void

const plural = (n: number) => (n === 1 ? '1 suggestion' : `${n} suggestions`)

export class SuggestionsInFlight {
  private readonly byUser = new Map<string, number>()
  private readonly byProject = new Map<string, number>()

  constructor(private readonly limits: SuggestionLimits) {}

  /**
   * The busy failure when this user already has their limit running, whatever the song: checked before the
   * role check and the song are read, so a flood of refusals costs only its session lookups.
   */
  userRefusal(userId: string): AiFailure | undefined {
    const mine = this.byUser.get(userId) ?? 0
    if (mine < this.limits.perUser) return undefined
    return aiFailure(
      'busy',
      'user_busy',
      'TOO_MANY_REQUESTS',
      `You already have ${plural(mine)} running; try again when one finishes.`,
    )
  }

  /** Counts the suggestion in, or returns the busy failure that refuses it (nothing is counted then). */
  enter(userId: string, projectId: string): { leave: Leave } | { refused: AiFailure } {
    const refused = this.userRefusal(userId)
    if (refused) return { refused }
    const mine = this.byUser.get(userId) ?? 0
    const song = this.byProject.get(projectId) ?? 0
    if (song >= this.limits.perProject)
      return {
        refused: aiFailure(
          'busy',
          'project_busy',
          'TOO_MANY_REQUESTS',
          `This song already has ${plural(song)} running (yours and your bandmates’); try again when one finishes.`,
        ),
      }
    this.byUser.set(userId, mine + 1)
    this.byProject.set(projectId, song + 1)
    let left = false
    return {
      leave: () => {
        if (left) return
        left = true
        decrement(this.byUser, userId)
        decrement(this.byProject, projectId)
      },
    }
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 1) - 1
  if (n > 0) counts.set(key, n)
  else counts.delete(key)
}
