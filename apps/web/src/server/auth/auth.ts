import type { IncomingMessage } from 'node:http'
import { betterAuth } from 'better-auth'
import { drizzleAdapter } from 'better-auth/adapters/drizzle'
import { APIError, createAuthMiddleware } from 'better-auth/api'
import { getSessionCookie } from 'better-auth/cookies'
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node'
import { displayText } from '../../text/display-text'
import { type Db, schema } from '../db'
import type { Route } from '../http'
import { clientIpHeader } from '../security/origin'
import type { AttemptCounts, AttemptRule } from './attempt-counts'
import { createRateLimitStorage } from './rate-limit'
import type { RecentSessions } from './recent-sessions'

/**
 * Accounts: better-auth with email + password on our drizzle schema (accounts.ts), sessions in
 * HTTP-only cookies, mounted at /api/auth/* on the one server. Everything else asks
 * `sessionUser(req)` who is calling. Sign-up never reveals whether an address has an account
 * (see `autoSignIn` below).
 */

export const authBasePath = '/api/auth'
export const passwordMinLength = 10
export const passwordMaxLength = 128
export const nameMaxLength = 80

const displayName = displayText('Name', nameMaxLength)

/** Our rules, checked before better-auth's, so every refusal reads as one plain sentence. */
function checkSignUp(body: unknown): void {
  const { name, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >
  if (name !== undefined) {
    const parsed = displayName.safeParse(name)
    if (!parsed.success)
      throw new APIError('BAD_REQUEST', { message: parsed.error.issues[0]?.message ?? 'Invalid name' })
  }
  if (typeof password === 'string') {
    if (password.length < passwordMinLength)
      throw new APIError('BAD_REQUEST', {
        message: `Password must be at least ${passwordMinLength} characters.`,
      })
    if (password.length > passwordMaxLength)
      throw new APIError('BAD_REQUEST', {
        message: `Password can be at most ${passwordMaxLength} characters.`,
      })
    if (password.trim() === '')
      throw new APIError('BAD_REQUEST', { message: 'Password cannot be only spaces.' })
  }
}

export interface AuthOptions {
  db: Db
  secret: string
  /** The first is the public base URL; all are trusted origins for better-auth's CSRF check. */
  origins: readonly string[]
  /** Sign-in and sign-up attempts per client address (AUTH_RATE_LIMIT_*). */
  rateLimit: { max: number; windowSeconds: number }
  /** Sign-in and sign-up attempts per email address, from any client (AUTH_EMAIL_RATE_LIMIT_*). */
  emailRateLimit: { max: number; windowSeconds: number }
  /** Where attempts are counted: shared by every instance (attempt-counts.ts). */
  attempts: AttemptCounts
}

const attemptPaths = new Set(['/sign-in/email', '/sign-up/email'])

/** The refusal once an address or an email has used its attempts: status 429, the wait in words and in X-Retry-After. */
function tooManyAttempts(retryAfterS: number): APIError {
  return new APIError(
    'TOO_MANY_REQUESTS',
    { message: `Too many attempts; try again in ${retryAfterS} s.`, code: 'TOO_MANY_ATTEMPTS' },
    { 'X-Retry-After': String(retryAfterS) },
  )
}

/**
 * Counts a sign-in or sign-up attempt against its email address, whichever client sends it: an address
 * limit alone would let many clients (a botnet) guess one account's password, or tell accounts apart by
 * signing up and then in with their own password (ARCHITECTURE.md, "Accounts and access").
 */
async function countEmailAttempt(attempts: AttemptCounts, rule: AttemptRule, body: unknown): Promise<void> {
  const email = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined
  if (typeof email !== 'string') return
  const { allowed, retryAfter } = await attempts.consume(`email:${email.trim().toLowerCase()}`, rule)
  if (!allowed) throw tooManyAttempts(retryAfter ?? rule.window)
}

export function createAuth(options: AuthOptions) {
  const rule = { window: options.rateLimit.windowSeconds, max: options.rateLimit.max }
  const emailRule = { window: options.emailRateLimit.windowSeconds, max: options.emailRateLimit.max }
  const { attempts } = options
  const local = createRateLimitStorage()
  return betterAuth({
    appName: 'Ensemble',
    baseURL: options.origins[0],
    basePath: authBasePath,
    secret: options.secret,
    trustedOrigins: [...options.origins],
    database: drizzleAdapter(options.db, {
      provider: 'pg',
      usePlural: true,
      schema: {
        users: schema.users,
        sessions: schema.sessions,
        accounts: schema.accounts,
        verifications: schema.verifications,
      },
    }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: passwordMinLength,
      maxPasswordLength: passwordMaxLength,
      // Sign-up answers the same for a new and an existing address, so it cannot tell a stranger
      // which addresses have accounts: better-auth then returns 200 with a user record and no
      // session in both cases (for an existing address a synthetic record, after hashing the
      // password all the same), where auto sign-in answered USER_ALREADY_EXISTS. The studio
      // signs in right after (auth/client.ts `signUpAndIn`).
      autoSignIn: false,
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === '/sign-up/email' || ctx.path === '/update-user') checkSignUp(ctx.body)
        if (attemptPaths.has(ctx.path)) await countEmailAttempt(attempts, emailRule, ctx.body)
      }),
    },
    session: {
      expiresIn: 60 * 60 * 24 * 14,
      updateAge: 60 * 60 * 24,
    },
    // On in every environment (better-auth's default is production only): the tests check it. Keys are
    // `<client address>|<path>`: sign-in and sign-up attempts are counted in the storage every instance
    // shares, everything else (session reads, sign-out) in this instance's memory, at no query's cost.
    rateLimit: {
      enabled: true,
      customStorage: {
        consume: (key, limit) =>
          (attemptPaths.has(key.slice(key.lastIndexOf('|') + 1)) ? attempts : local).consume(key, limit),
      },
      window: 60,
      max: 300,
      customRules: { '/sign-in/*': rule, '/sign-up/*': rule },
    },
    advanced: {
      // The route below sets this header from the socket address (and drops any client copy), so
      // the limit is per client rather than one bucket for everyone.
      ipAddress: { ipAddressHeaders: [clientIpHeader] },
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' },
    },
    telemetry: { enabled: false },
  })
}

export type Auth = ReturnType<typeof createAuth>

export interface SessionUser {
  id: string
  email: string
  name: string
}

/**
 * The raw session cookie a request carries, unverified (null without one): a key for counting what a
 * session already has running before it is looked up (quotas/suggestions-in-flight.ts), never proof of who it is.
 */
export function sessionCookie(req: IncomingMessage): string | null {
  return getSessionCookie(fromNodeHeaders(req.headers))
}

/** The signed-in user behind a request's session cookie, or null. */
export async function sessionUser(auth: Auth, req: IncomingMessage): Promise<SessionUser | null> {
  const result = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) })
  if (result === null) return null
  return { id: result.user.id, email: result.user.email, name: result.user.name }
}

/** `recent`: what a request to these routes may change about its session (sign-out, name) is forgotten first. */
export function authRoute(auth: Auth, recent: RecentSessions): Route {
  const handler = toNodeHandler(auth)
  return async (req, res, url) => {
    if (url.pathname !== authBasePath && !url.pathname.startsWith(`${authBasePath}/`)) return false
    const cookie = sessionCookie(req)
    if (cookie !== null) recent.forget(cookie)
    await handler(req, res)
    return true
  }
}
