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
    if (res.status === 429) throw new Error('Too many attempts. Wait a minute and try again.')
    throw new Error(data.message ?? `Request failed (${res.status})`)
  }
  return data
}

export const signUp = (input: { name: string; email: string; password: string }) =>
  post('/sign-up/email', input)
export const signIn = (input: { email: string; password: string }) => post('/sign-in/email', input)
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
