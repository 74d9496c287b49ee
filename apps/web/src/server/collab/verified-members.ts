import type { Role } from './tokens'

/**
 * The memberships this instance read from the database lately, each with the moment it was read:
 * what lets a member (re)connect to a room the instance already holds while the database cannot be
 * reached, so that an instance dying during a database outage does not strand its clients (they
 * reconnect to another instance, whose membership sweep read the room's whole membership).
 *
 * Staleness is bounded: a membership read longer than `maxAgeMs` ago counts as unknown. A member
 * removed or demoted elsewhere may therefore still be admitted, under the old role, until `maxAgeMs`
 * after the last read that showed them a member, and only while the database is unreachable (any
 * answer from the database wins); once it is back, the membership sweep closes their connection.
 * Changes this instance makes or sees (`setAccess`, a sweep) apply here at once.
 */

interface Verified {
  role: Role
  /** Date.now() when the read that showed it started. */
  at: number
}

/** What a lookup finds: a member's role, or a project without a row (opened on the token alone). */
export type RecentRead = ({ role: Role } | { tokenOnly: true }) & { ageMs: number }

export class VerifiedMembers {
  private readonly byProject = new Map<string, Map<string, Verified>>()
  /** Projects a read found without a row, and when that read started. */
  private readonly tokenOnly = new Map<string, number>()
  private prunedAt = 0

  constructor(private readonly maxAgeMs: number) {}

  /** One member's role as just read (`null`: not a member). `at`: when that read started. */
  record(projectId: string, userId: string, role: Role | null, at: number): void {
    this.prune(at)
    // Forgetting is always safe, whichever read was newer. A read that found no membership found
    // the project's row (without one, the token decides): the room no longer opens on a token alone.
    if (role === null) {
      this.forget(projectId, userId)
      this.tokenOnly.delete(projectId)
      return
    }
    if (this.maxAgeMs === 0) return
    let members = this.byProject.get(projectId)
    if (members === undefined) {
      members = new Map()
      this.byProject.set(projectId, members)
    }
    const known = members.get(userId)
    // A slower, older read finishing last must not undo a newer one.
    if (known === undefined || known.at <= at) members.set(userId, { role, at })
  }

  /**
   * A project's whole membership as just read: whoever is not in it is not a member. `null`: the
   * project has no row, so its room opens on the token alone (internal and test rooms).
   */
  recordProject(
    projectId: string,
    members: readonly { userId: string; role: Role }[] | null,
    at: number,
  ): void {
    if (members === null) {
      this.forget(projectId, null)
      if (this.maxAgeMs > 0) this.tokenOnly.set(projectId, Math.max(at, this.tokenOnly.get(projectId) ?? 0))
      return
    }
    this.tokenOnly.delete(projectId)
    const listed = new Set(members.map((m) => m.userId))
    for (const [userId, known] of this.byProject.get(projectId) ?? []) {
      if (!listed.has(userId) && known.at <= at) this.forget(projectId, userId)
    }
    for (const m of members) this.record(projectId, m.userId, m.role, at)
  }

  /** Forgets one member, or with `userId` null the whole project. */
  forget(projectId: string, userId: string | null): void {
    if (userId === null) this.tokenOnly.delete(projectId)
    const members = this.byProject.get(projectId)
    if (members === undefined) return
    if (userId !== null) members.delete(userId)
    if (userId === null || members.size === 0) this.byProject.delete(projectId)
  }

  /** What a read within the last `maxAgeMs` found, with its age in ms; null if there is none. */
  lookup(projectId: string, userId: string, now: number): RecentRead | null {
    const known = this.byProject.get(projectId)?.get(userId)
    if (known !== undefined && now - known.at < this.maxAgeMs)
      return { role: known.role, ageMs: now - known.at }
    const tokenOnlyAt = this.tokenOnly.get(projectId)
    if (tokenOnlyAt !== undefined && now - tokenOnlyAt < this.maxAgeMs)
      return { tokenOnly: true, ageMs: now - tokenOnlyAt }
    return null
  }

  /** Drops what has expired, at most once per `maxAgeMs`, so memory follows the recent reads. */
  private prune(now: number): void {
    if (now - this.prunedAt < this.maxAgeMs) return
    this.prunedAt = now
    for (const [projectId, members] of this.byProject) {
      for (const [userId, known] of members) if (now - known.at >= this.maxAgeMs) members.delete(userId)
      if (members.size === 0) this.byProject.delete(projectId)
    }
    for (const [projectId, at] of this.tokenOnly)
      if (now - at >= this.maxAgeMs) this.tokenOnly.delete(projectId)
  }
}
