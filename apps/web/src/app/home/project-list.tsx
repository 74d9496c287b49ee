'use client'

import { useRouter } from 'next/navigation'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { api, messageOf } from '../../api/client'
import { type Me, signOut } from '../../auth/client'

type Project = Awaited<ReturnType<typeof api.projects.list.query>>[number]
type DeletedProject = Awaited<ReturnType<typeof api.projects.deleted.query>>[number]

const when = (iso: string) => new Date(iso).toLocaleString()

export function ProjectList({ me }: { me: Me }) {
  const router = useRouter()
  const [projects, setProjects] = useState<Project[] | null>(null)
  const [deleted, setDeleted] = useState<DeletedProject[]>([])
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(() => {
    api.projects.list
      .query()
      .then(setProjects)
      .catch((err: unknown) => setError(messageOf(err)))
    api.projects.deleted
      .query()
      .then(setDeleted)
      .catch((err: unknown) => setError(messageOf(err)))
  }, [])
  useEffect(load, [load])

  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const name = String(new FormData(e.currentTarget).get('name') ?? '')
    try {
      const { id } = await api.projects.create.mutate({ name })
      router.push(`/songs/${id}`)
    } catch (err) {
      setError(messageOf(err))
    }
  }

  const restore = async (projectId: string) => {
    try {
      await api.projects.restore.mutate({ projectId })
      load()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  const duplicate = async (projectId: string) => {
    try {
      await api.projects.duplicate.mutate({ projectId })
      load()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <main style={{ maxWidth: 860, margin: '6vh auto', padding: '0 24px' }}>
      <header style={{ display: 'flex', alignItems: 'center', gap: 12 }}>
        <h1 className="grow">Your songs</h1>
        <a href="/plugins">Plugins</a>
        <span data-testid="me" className="muted">
          {me.name}
        </span>
        <button
          type="button"
          onClick={async () => {
            await signOut().catch(() => {})
            location.assign('/')
          }}
        >
          Sign out
        </button>
      </header>
      <form onSubmit={create} style={{ display: 'flex', gap: 8, margin: '16px 0' }}>
        <input
          name="name"
          aria-label="Song name"
          placeholder="Song name"
          required
          maxLength={120}
          className="grow"
        />
        <button type="submit" className="primary">
          New song
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {projects === null ? (
        <p className="muted">Loading…</p>
      ) : projects.length === 0 ? (
        <p className="muted">No songs yet. Name one above to start.</p>
      ) : (
        <ul data-testid="project-list" className="plain-list">
          {projects.map((p) => (
            <li
              key={p.id}
              data-testid="project"
              style={{
                background: 'var(--panel)',
                border: '1px solid var(--line)',
                borderRadius: 'var(--radius)',
                padding: 12,
                display: 'flex',
                alignItems: 'center',
                gap: 12,
              }}
            >
              <div className="grow">
                <a href={`/songs/${p.id}`} style={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
                  {p.name}
                </a>
                <div style={{ color: 'var(--muted)', fontSize: 13 }}>
                  {p.role} · {p.collaborators.map((c) => c.name).join(', ')} · last change{' '}
                  {when(p.lastChange)}
                </div>
              </div>
              <button type="button" onClick={() => duplicate(p.id)}>
                Duplicate
              </button>
              <a href={`/plugins?project=${encodeURIComponent(p.id)}`} aria-label={`Plugins for ${p.name}`}>
                Plugins
              </a>
              <a href={`/projects/${p.id}/settings`}>Settings</a>
            </li>
          ))}
        </ul>
      )}
      {deleted.length > 0 && (
        <section aria-labelledby="recently-deleted" style={{ marginTop: 32 }}>
          <h2 id="recently-deleted">Recently deleted</h2>
          <p className="muted" style={{ marginTop: 0 }}>
            Nobody can open these songs. Restore one to bring it back for everyone in it; after the date shown
            it is removed for good.
          </p>
          <ul data-testid="deleted-list" className="plain-list">
            {deleted.map((p) => (
              <li key={p.id} data-testid="deleted-project" className="row" style={{ padding: '8px 0' }}>
                <span className="grow" style={{ overflowWrap: 'anywhere' }}>
                  {p.name}
                  <span className="muted" style={{ fontSize: 13 }}>
                    {' '}
                    · deleted {when(p.deletedAt)} · removed for good after {when(p.purgeAfter)}
                  </span>
                </span>
                <button type="button" onClick={() => restore(p.id)} aria-label={`Restore ${p.name}`}>
                  Restore
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  )
}
