import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client'
import type { AppRouter } from '../../src/server/api/router'

/** A signed-in (or not) API caller over real HTTP: better-auth cookies + the tRPC client. */

export type Api = ReturnType<typeof createApi>

export interface Caller {
  api: Api
  cookie: string
  userId: string
  email: string
  name: string
}

/**
 * A browser sends a request again when the kept-alive connection it reused turns out closed before any answer
 * (a server restarted on the same port: the old socket's close can land after the request went out); Node's
 * fetch does not for a POST, so a test that restarts its server would fail where no user would.
 */
const fetchLikeABrowser: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init)
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause
    if (cause?.code !== 'UND_ERR_SOCKET') throw err
    return fetch(input, init)
  }
}

export function createApi(baseUrl: string, cookie = '', origin?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/api/trpc`,
        fetch: fetchLikeABrowser,
        headers: () => ({ ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) }),
      }),
    ],
  })
}

let counter = 0
export const uniqueEmail = (label = 'user') => `${label}-${Date.now()}-${counter++}@example.test`
export const goodPassword = 'correct horse battery'

export async function authPost(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${baseUrl}/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl, ...headers },
    body: JSON.stringify(body),
  })
}

export const cookieOf = (res: Response): string =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')

/** A new account, signed in the studio's way: sign-up opens no session (it answers alike for any address). */
export async function signUp(baseUrl: string, label = 'user', name?: string): Promise<Caller> {
  const email = uniqueEmail(label)
  const up = await authPost(baseUrl, '/sign-up/email', {
    email,
    password: goodPassword,
    name: name ?? label,
  })
  if (!up.ok) throw new Error(`sign-up failed: ${up.status} ${await up.text()}`)
  const res = await authPost(baseUrl, '/sign-in/email', { email, password: goodPassword })
  if (!res.ok) throw new Error(`sign-in after sign-up failed: ${res.status} ${await res.text()}`)
  const body = (await res.json()) as { user: { id: string; name: string } }
  const cookie = cookieOf(res)
  return { api: createApi(baseUrl, cookie), cookie, userId: body.user.id, email, name: body.user.name }
}

/** The tRPC error code of a failed call, or 'OK'. */
export async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call()
    return 'OK'
  } catch (err) {
    if (err instanceof TRPCClientError)
      return String((err.data as { code?: string } | undefined)?.code ?? err.message)
    throw err
  }
}

export async function errorMessage(call: () => Promise<unknown>): Promise<string> {
  try {
    await call()
    return ''
  } catch (err) {
    if (err instanceof TRPCClientError) return err.message
    throw err
  }
}
