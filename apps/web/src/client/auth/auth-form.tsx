'use client'

import { useRouter, useSearchParams } from 'next/navigation'
import { type FormEvent, useState } from 'react'
import { Logo } from '../../brand/logo'
import { signIn, signUpAndIn } from './client'

/** Sign-up and sign-in share one form; `next` (a same-site path) says where to go afterwards. */

const PASSWORD_MIN = 10

/** Only a local path, so a crafted link cannot bounce a fresh session to another site. */
export function safeNext(next: string | null): string {
  if (next === null) return '/'
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/'
}

export function AuthForm({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const router = useRouter()
  const params = useSearchParams()
  const next = safeNext(params.get('next'))
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    const email = String(form.get('email') ?? '').trim()
    const password = String(form.get('password') ?? '')
    const name = String(form.get('name') ?? '').trim()
    if (mode === 'sign-up' && password.length < PASSWORD_MIN) {
      setError(`Password must be at least ${PASSWORD_MIN} characters.`)
      return
    }
    setBusy(true)
    setError(null)
    try {
      if (mode === 'sign-up') await signUpAndIn({ name, email, password })
      else await signIn({ email, password })
      router.push(next)
      router.refresh()
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
      setBusy(false)
    }
  }

  const other = mode === 'sign-in' ? 'sign-up' : 'sign-in'
  const query = next === '/' ? '' : `?next=${encodeURIComponent(next)}`
  return (
    <main className="page narrow auth-page">
      <Logo size={22} />
      <section className="card">
        <h1>{mode === 'sign-in' ? 'Sign in' : 'Create your account'}</h1>
        <form onSubmit={onSubmit} style={{ display: 'grid', gap: 12 }}>
          {mode === 'sign-up' && (
            <label style={{ display: 'grid', gap: 4 }}>
              Name
              <input name="name" required maxLength={80} autoComplete="name" />
            </label>
          )}
          <label style={{ display: 'grid', gap: 4 }}>
            Email
            <input name="email" type="email" required autoComplete="email" />
          </label>
          <label style={{ display: 'grid', gap: 4 }}>
            Password
            <input
              name="password"
              type="password"
              required
              minLength={mode === 'sign-up' ? PASSWORD_MIN : undefined}
              maxLength={128}
              autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
            />
          </label>
          {mode === 'sign-up' && (
            <small style={{ color: 'var(--muted)' }}>At least {PASSWORD_MIN} characters.</small>
          )}
          {error && (
            <p role="alert" style={{ color: 'var(--danger)', margin: 0 }}>
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {mode === 'sign-in' ? 'Sign in' : 'Sign up'}
          </button>
        </form>
        <p style={{ color: 'var(--muted)' }}>
          {mode === 'sign-in' ? 'New here? ' : 'Already have an account? '}
          <a href={`/${other}${query}`}>{mode === 'sign-in' ? 'Create an account' : 'Sign in'}</a>
        </p>
      </section>
    </main>
  )
}
