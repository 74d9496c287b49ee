'use client'

import { useRouter } from 'next/navigation'
import { type ReactNode, useEffect } from 'react'
import { useMe } from './client'

/** Renders children for a signed-in user; sends anyone else to sign in, then back here. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const state = useMe()
  const router = useRouter()
  const signedOut = state.status === 'ready' && state.me === null
  useEffect(() => {
    if (signedOut) router.replace(`/sign-in?next=${encodeURIComponent(location.pathname)}`)
  }, [signedOut, router])
  if (state.status === 'loading' || signedOut) return <p style={{ padding: 24, color: 'var(--muted)' }}>…</p>
  return <>{children}</>
}
