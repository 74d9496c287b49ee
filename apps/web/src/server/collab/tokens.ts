import { errors, jwtVerify, SignJWT } from 'jose'
import { z } from 'zod'

/**
 * Room tokens: a standard HS256 JWT signed with COLLAB_SECRET. Short-lived, issued by the web API
 * to a user who may open a project; the collab server trusts nothing else about the client.
 */

export const roles = ['owner', 'editor', 'viewer'] as const
export type Role = (typeof roles)[number]

/** The lesser of two roles (viewer < editor < owner; `roles` lists them from the top). */
export const lesserRole = (a: Role, b: Role): Role => (roles.indexOf(a) >= roles.indexOf(b) ? a : b)

export interface RoomClaims {
  /** User id. */
  sub: string
  project: string
  role: Role
  /**
   * The user's display name, from the session that asked for the token: the collab server shows
   * bandmates this name, whatever a client puts in its awareness state. Absent: the user id.
   */
  name?: string
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  project: z.string().min(1),
  role: z.enum(roles),
  name: z.string().max(200).optional(),
  exp: z.number(),
})

const encoder = new TextEncoder()
const keyOf = (secret: string): Uint8Array => encoder.encode(secret)

export interface SignOptions {
  secret: string
  /** Lifetime in seconds (default one hour), or an absolute `exp` for tests. */
  expiresInSeconds?: number
  exp?: number
}

export async function signRoomToken(claims: RoomClaims, options: SignOptions): Promise<string> {
  const exp = options.exp ?? Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 3600)
  return new SignJWT({ project: claims.project, role: claims.role, name: claims.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(keyOf(options.secret))
}

export type TokenCheck = { ok: true; claims: RoomClaims } | { ok: false; status: 401 | 403; reason: string }

/** Verifies a token for `projectId`. Never throws: every failure maps to an HTTP status. */
export async function verifyRoomToken(
  token: string | null,
  projectId: string,
  secret: string,
): Promise<TokenCheck> {
  if (token === null || token === '') return { ok: false, status: 401, reason: 'missing token' }
  let payload: unknown
  try {
    ;({ payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], requiredClaims: ['exp'] }))
  } catch (err) {
    const reason = err instanceof errors.JWTExpired ? 'token expired' : 'invalid token'
    return { ok: false, status: 401, reason }
  }
  const parsed = claimsSchema.safeParse(payload)
  if (!parsed.success) return { ok: false, status: 401, reason: 'invalid token claims' }
  const { sub, project, role, name } = parsed.data
  if (project !== projectId) return { ok: false, status: 403, reason: 'token is for another project' }
  return { ok: true, claims: { sub, project, role, name } }
}
