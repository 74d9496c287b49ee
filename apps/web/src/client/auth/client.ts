'use client'

import { useEffect, useState } from 'react'

/**
 * The browser side of accounts: plain calls to better-auth's endpoints under /api/auth (the
 * session lives in an HTTP-only cookie the page never sees) and a hook for "who am I".
 */

export interface Me {
  id: string
  name: string
  email: string
}

async function post(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const data = (await res.json().catch(() => ({}))) as { message?: string }
  if (!res.ok) {
    // Refused per client address or per email address (server auth.ts); X-Retry-After says for how long.
    if (res.status === 429) {
      const wait = Number(res.headers.get('x-retry-after'))
      throw new Error(
        wait > 0
          ? `Too many attempts; try again in ${wait} s.`
          : 'Too many attempts. Wait a minute and try again.',
      )
    }
    throw new Error(data.message ?? `Request failed (${res.status})`)
  }
  return data
}

export const signIn = (input: { email: string; password: string }) => post('/sign-in/email', input)

/**
 * Sign-up answers alike whether or not the address already has an account (server auth.ts), so
 * the studio signs in with the same password right after: a new account gets in, and so does its
 * owner if they signed up again with their own password. Anyone else meets one sentence that fits
 * both cases and says what to do.
 */
export async function signUpAndIn(input: { name: string; email: string; password: string }): Promise<void> {
  await post('/sign-up/email', input)
  try {
    await signIn({ email: input.email, password: input.password })
  } catch (err) {
    if (err instanceof Error && /too many/i.test(err.message)) throw err
    throw new Error(
      'We could not sign you in with this email and password. If you already have an account with this address, sign in with its password instead.',
    )
  }
}
export const signOut = () => post('/sign-out', {})

export async function fetchMe(): Promise<Me | null> {
  const res = await fetch('/api/auth/get-session', { cache: 'no-store' })
  if (!res.ok) return null
  const data = (await res.json()) as { user?: Me } | null
  return data?.user ?? null
}

export type MeState = { status: 'loading' } | { status: 'ready'; me: Me | null }

export function useMe(): MeState {
  const [state, setState] = useState<MeState>({ status: 'loading' })
  useEffect(() => {
    let cancelled = false
    fetchMe()
      .then((me) => !cancelled && setState({ status: 'ready', me }))
      .catch(() => !cancelled && setState({ status: 'ready', me: null }))
    return () => {
      cancelled = true
    }
  }, [])
  return state
}
