'use client'

import { AtSign, Copy as CopyIcon, LogOut, MessageSquare, Music, Plus, Puzzle, Settings } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { Avatar } from '../../brand/avatar'
import { Logo } from '../../brand/logo'
import { api, messageOf } from '../../client/api/client'
import { type Me, signOut } from '../../client/auth/client'
import { relativeTime } from '../../text/relative-time'
import { BackgroundMaker } from './background-maker'
import { SongThumbnail } from './song-thumbnail'

type Project = Awaited<ReturnType<typeof api.projects.list.query>>[number]
type DeletedProject = Awaited<ReturnType<typeof api.projects.deleted.query>>[number]
type Unread = Awaited<ReturnType<typeof api.discussion.unread.query>>[number]

export function ProjectList({ me }: { me: Me }) {
  const router = useRouter()
  const [projects, setProjects] = useState<Project[] | null>(null)
  const [deleted, setDeleted] = useState<DeletedProject[]>([])
  const [unread, setUnread] = useState<ReadonlyMap<string, Unread>>(new Map())
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
    api.discussion.unread
      .query()
      .then((rows) => setUnread(new Map(rows.map((r) => [r.projectId, r]))))
      // The counts are a courtesy: the list works without them.
      .catch(() => {})
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
    <div className="app-shell">
      <header className="app-bar">
        <Logo />
        <nav className="app-nav">
          <a href="/plugins" className="button">
            <Puzzle size={15} aria-hidden /> Plugins
          </a>
        </nav>
        <span className="grow" />
        <span className="row">
          <Avatar id={me.id} name={me.name} />
          <span data-testid="me" className="muted">
            {me.name}
          </span>
        </span>
        <button
          type="button"
          onClick={async () => {
            await signOut().catch(() => {})
            location.assign('/')
          }}
        >
          <LogOut size={15} aria-hidden /> Sign out
        </button>
      </header>
      <main className="page wide">
        <div className="songs-head">
          <h1>Your songs</h1>
          <form onSubmit={create} className="row new-song">
            <input
              name="name"
              aria-label="Song name"
              placeholder="Name a new song"
              required
              maxLength={120}
              className="grow"
            />
            <button type="submit" className="primary">
              <Plus size={16} aria-hidden /> New song
            </button>
          </form>
        </div>
        <BackgroundMaker onError={setError} />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {projects === null ? (
          <p className="muted">Loading…</p>
        ) : projects.length === 0 ? (
          <section className="card empty-songs">
            <Music size={28} aria-hidden className="notice-icon" />
            <p>No songs yet. Name one above to start, or open an invite link from a bandmate.</p>
          </section>
        ) : (
          <ul data-testid="project-list" className="song-grid">
            {projects.map((p) => (
              <li key={p.id} data-testid="project" className="song-card">
                <a href={`/songs/${p.id}`} className="song-card-open" aria-label={`Open ${p.name}`}>
                  <SongThumbnail projectId={p.id} name={p.name} />
                </a>
                <div className="song-card-body">
                  <div className="song-card-title">
                    <a href={`/songs/${p.id}`}>{p.name}</a>
                    <span className="role-badge">{p.role}</span>
                    <UnreadBadge counts={unread.get(p.id)} />
                  </div>
                  <div className="muted small">
                    <span data-testid="last-edited" title={new Date(p.lastChange).toLocaleString()}>
                      Edited {relativeTime(p.lastChange)}
                    </span>
                  </div>
                  <div className="row collaborators" data-testid="collaborators">
                    <span className="avatar-stack">
                      {p.collaborators.slice(0, 5).map((c) => (
                        <Avatar key={c.userId} id={c.userId} name={c.name} title={`${c.name} (${c.role})`} />
                      ))}
                    </span>
                    <span className="muted small grow">{p.collaborators.map((c) => c.name).join(', ')}</span>
                  </div>
                </div>
                <div className="song-card-actions">
                  <button
                    type="button"
                    onClick={() => duplicate(p.id)}
                    title="A copy of the song, owned by you"
                  >
                    <CopyIcon size={14} aria-hidden /> Duplicate
                  </button>
                  <a
                    className="button"
                    href={`/plugins?project=${encodeURIComponent(p.id)}`}
                    aria-label={`Plugins for ${p.name}`}
                  >
                    <Puzzle size={14} aria-hidden /> Plugins
                  </a>
                  <a className="button" href={`/projects/${p.id}/settings`}>
                    <Settings size={14} aria-hidden /> Settings
                  </a>
                </div>
              </li>
            ))}
          </ul>
        )}
        {deleted.length > 0 && (
          <section aria-labelledby="recently-deleted" style={{ marginTop: 32 }}>
            <h2 id="recently-deleted">Recently deleted</h2>
            <p className="muted" style={{ marginTop: 0 }}>
              Nobody can open these songs. Restore one to bring it back for everyone in it; after the date
              shown it is removed for good.
            </p>
            <ul data-testid="deleted-list" className="plain-list">
              {deleted.map((p) => (
                <li key={p.id} data-testid="deleted-project" className="row" style={{ padding: '8px 0' }}>
                  <span className="grow" style={{ overflowWrap: 'anywhere' }}>
                    {p.name}
                    <span className="muted" style={{ fontSize: 13 }}>
                      {' '}
                      · deleted {relativeTime(p.deletedAt)} · removed for good on{' '}
                      {new Date(p.purgeAfter).toLocaleDateString()}
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
    </div>
  )
}

/** New comments and chat since the member last looked, and how many of them mention them. */
function UnreadBadge({ counts }: { counts: Unread | undefined }) {
  if (counts === undefined || counts.unread === 0) return null
  const label = `${counts.unread} unread${counts.mentions > 0 ? `, ${counts.mentions} mentioning you` : ''}`
  return (
    <span className="unread-badge" data-testid="unread" title={label}>
      <MessageSquare size={12} aria-hidden /> {counts.unread}
      {counts.mentions > 0 && (
        <>
          {' '}
          <AtSign size={12} aria-hidden />
          {counts.mentions}
        </>
      )}
    </span>
  )
}
