import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Auth } from '../auth/auth'
import { sessionUser } from '../auth/auth'
import type { Role } from '../collab/tokens'
import type { Db } from '../db'
import { atLeast, memberRole } from '../projects/access'
import type { ObjectStore } from './object-store'

/**
 * Who is asking, for every assets request: the session cookie (as tRPC reads it) and the caller's role
 * in the project, read from the database on each request, so a member removed or demoted mid-upload
 * is refused at the next request. Answers follow `projects/access.ts`: signed out 401, not a member
 * (or no such project) 404, so project ids cannot be probed, a role too low 403.
 */

export interface AssetsRouteDeps {
  db: Db
  auth: Auth
  /** Where finished assets' bytes go when an S3-compatible store is configured; null: the database. */
  objects: ObjectStore | null
}

export type Caller =
  | { ok: true; userId: string; role: Role }
  | { ok: false; status: number; code: string; message: string }

export async function authorize(
  { db, auth }: Pick<AssetsRouteDeps, 'db' | 'auth'>,
  req: IncomingMessage,
  projectId: string,
  min: Role,
): Promise<Caller> {
  const user = await sessionUser(auth, req)
  if (user === null) return { ok: false, status: 401, code: 'unauthorized', message: 'Sign in first.' }
  const role = await memberRole(db, projectId, user.id)
  if (role === null) return { ok: false, status: 404, code: 'not_found', message: 'No such project.' }
  if (!atLeast(role, min))
    return {
      ok: false,
      status: 403,
      code: 'forbidden',
      message: `This needs the ${min} role; you are ${role}.`,
    }
  return { ok: true, userId: user.id, role }
}

/** A JSON refusal `{ error, message }` (wire/assets.ts), with extra headers (tus's). */
export function refuse(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: code, message })
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  res.end(body)
}
