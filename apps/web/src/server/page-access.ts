import type { Role } from './collab/tokens'

/**
 * What a page may learn from the server before it renders: the visitor's role in a project. A song
 * page that a visitor may not open then answers 404 with a way home, instead of a studio that fails
 * in the browser under status 200.
 *
 * Next.js loads its page bundles into this same process, but as module instances of their own, so
 * the server hands the answer over under a registered symbol on `globalThis`, the one thing both
 * share. Without the server (Next alone) there is no answer and pages leave the check to the API.
 */

export type ProjectAccess = 'signed-out' | 'none' | Role

export type PageAccess = (headers: Headers, projectId: string) => Promise<ProjectAccess>

const slot = Symbol.for('ensemble.pageAccess')
type Slot = { [slot]?: PageAccess }

export function installPageAccess(access: PageAccess): void {
  ;(globalThis as Slot)[slot] = access
}

/** The visitor's access to a project, or null where no server installed the check. */
export async function projectAccess(headers: Headers, projectId: string): Promise<ProjectAccess | null> {
  const access = (globalThis as Slot)[slot]
  return access === undefined ? null : access(headers, projectId)
}
