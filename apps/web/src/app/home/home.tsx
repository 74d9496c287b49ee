'use client'

import { useMe } from '../../client/auth/client'
import { Landing } from './landing'
import { ProjectList } from './project-list'

/** `/`: the project list for a signed-in user, the landing page for anyone else. */
export function Home() {
  const state = useMe()
  if (state.status === 'loading') return <p style={{ padding: 24, color: 'var(--muted)' }}>…</p>
  return state.me === null ? <Landing /> : <ProjectList me={state.me} />
}
