'use client'

import { House, Music, Puzzle } from 'lucide-react'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { Logo } from '../../../../brand/logo'
import { api, messageOf } from '../../../../client/api/client'
import { CopyLink } from '../../../../sharing/copy-link'

/**
 * Project settings: name, members (role, remove, ownership transfer), invite links, leave and
 * delete. What a non-owner may not do is hidden here and refused by the API anyway.
 */

type Project = Awaited<ReturnType<typeof api.projects.get.query>>
type Member = Awaited<ReturnType<typeof api.members.list.query>>[number]
type Invite = Awaited<ReturnType<typeof api.invites.list.query>>[number]

const section = { background: 'var(--panel)', border: '1px solid var(--line)', borderRadius: 8, padding: 16 }

export function ProjectSettings({ projectId }: { projectId: string }) {
  const [project, setProject] = useState<Project | null>(null)
  const [members, setMembers] = useState<Member[]>([])
  const [invites, setInvites] = useState<Invite[]>([])
  const [viewerComments, setViewerComments] = useState(true)
  const [newLink, setNewLink] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      const p = await api.projects.get.query({ projectId })
      setProject(p)
      setMembers(await api.members.list.query({ projectId }))
      setInvites(p.role === 'owner' ? await api.invites.list.query({ projectId }) : [])
      setViewerComments((await api.discussion.settings.query({ projectId })).viewerComments)
    } catch (err) {
      setError(messageOf(err))
    }
  }, [projectId])
  useEffect(() => {
    void load()
  }, [load])

  /** Runs a change, shows its refusal if any, then re-reads everything. */
  const act = async (change: () => Promise<unknown>) => {
    setError(null)
    try {
      await change()
    } catch (err) {
      setError(messageOf(err))
    }
    await load()
  }

  if (project === null)
    return (
      <main style={{ padding: 24 }}>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </main>
    )

  const isOwner = project.role === 'owner'
  const rename = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const name = String(new FormData(e.currentTarget).get('name') ?? '')
    void act(() => api.projects.rename.mutate({ projectId, name }))
  }
  const invite = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    void act(async () => {
      const created = await api.invites.create.mutate({
        projectId,
        role: form.get('role') === 'viewer' ? 'viewer' : 'editor',
        maxUses: Number(form.get('maxUses') ?? 1),
        expiresInHours: Number(form.get('expiresInHours') ?? 72),
      })
      setNewLink(`${location.origin}${created.path}`)
    })
  }

  return (
    <main className="page">
      <nav className="row">
        <Logo />
        <span className="grow" />
        <a href="/" className="button">
          <House size={15} aria-hidden /> Your songs
        </a>
        <a href={`/songs/${projectId}`} className="button">
          <Music size={15} aria-hidden /> Open the song
        </a>
        <a href={`/plugins?project=${encodeURIComponent(projectId)}`} className="button">
          <Puzzle size={15} aria-hidden /> Plugins
        </a>
      </nav>
      <h1 style={{ overflowWrap: 'anywhere' }}>{project.name}</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}

      {project.role !== 'viewer' && (
        <section style={section}>
          <h2>Name</h2>
          <form onSubmit={rename} className="row">
            <input
              name="name"
              aria-label="Project name"
              defaultValue={project.name}
              required
              maxLength={120}
              className="grow"
            />
            <button type="submit">Rename</button>
          </form>
        </section>
      )}

      <section style={section}>
        <h2>Members</h2>
        <ul data-testid="members" className="plain-list">
          {members.map((m) => (
            <li key={m.userId} data-testid="member" className="row">
              <span className="grow">
                {m.name} <span className="muted">{m.email}</span>
              </span>
              {isOwner && m.role !== 'owner' ? (
                <>
                  <select
                    aria-label={`Role of ${m.name}`}
                    value={m.role}
                    onChange={(e) =>
                      act(() =>
                        api.members.changeRole.mutate({
                          projectId,
                          userId: m.userId,
                          role: e.target.value === 'viewer' ? 'viewer' : 'editor',
                        }),
                      )
                    }
                  >
                    <option value="editor">editor</option>
                    <option value="viewer">viewer</option>
                  </select>
                  <button
                    type="button"
                    onClick={() => {
                      if (confirm(`Make ${m.name} the owner? You will become an editor.`))
                        void act(() => api.members.transferOwnership.mutate({ projectId, userId: m.userId }))
                    }}
                  >
                    Make owner
                  </button>
                  <button
                    type="button"
                    aria-label={`Remove ${m.name}`}
                    onClick={() => act(() => api.members.remove.mutate({ projectId, userId: m.userId }))}
                  >
                    Remove
                  </button>
                </>
              ) : (
                <span data-testid="member-role">{m.role}</span>
              )}
            </li>
          ))}
        </ul>
      </section>

      {isOwner && (
        <section style={section}>
          <h2>Comments and chat</h2>
          <label className="row">
            <input
              type="checkbox"
              data-testid="viewer-comments"
              checked={viewerComments}
              onChange={(e) =>
                act(() => api.discussion.setViewerComments.mutate({ projectId, allowed: e.target.checked }))
              }
            />
            Viewers may comment and chat (they can never edit the song)
          </label>
        </section>
      )}

      {isOwner && (
        <section style={section}>
          <h2>Invite links</h2>
          <form onSubmit={invite} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'end' }}>
            <label className="field">
              Role
              <select name="role" aria-label="Invite role" defaultValue="editor">
                <option value="editor">editor</option>
                <option value="viewer">viewer</option>
              </select>
            </label>
            <label className="field">
              Uses
              <input name="maxUses" type="number" min={1} max={100} defaultValue={1} style={{ width: 80 }} />
            </label>
            <label className="field">
              Expires in (hours)
              <input
                name="expiresInHours"
                type="number"
                min={1}
                max={720}
                defaultValue={72}
                style={{ width: 100 }}
              />
            </label>
            <button type="submit" className="primary">
              Create invite link
            </button>
          </form>
          {newLink && (
            <div className="field">
              <p className="muted small">Share this link with your bandmate (it is shown once):</p>
              <CopyLink link={newLink} testId="invite-link" />
            </div>
          )}
          <ul style={{ listStyle: 'none', padding: 0 }}>
            {invites.map((i) => (
              <li key={i.id} data-testid="invite" className="row">
                <span className="grow">
                  {i.role} · {i.uses}/{i.maxUses} used · expires {new Date(i.expiresAt).toLocaleString()} ·{' '}
                  {i.revoked ? 'revoked' : i.active ? 'active' : 'inactive'}
                </span>
                {!i.revoked && (
                  <button
                    type="button"
                    onClick={() => act(() => api.invites.revoke.mutate({ projectId, inviteId: i.id }))}
                  >
                    Revoke
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section style={section}>
        <h2>Leave or delete</h2>
        {isOwner ? (
          <button
            type="button"
            style={{ borderColor: 'var(--danger)', color: 'var(--danger)' }}
            onClick={async () => {
              if (
                !confirm(
                  `Delete “${project.name}” for everyone? You can restore it from Recently deleted on your song list for a while.`,
                )
              )
                return
              try {
                await api.projects.delete.mutate({ projectId })
                location.assign('/')
              } catch (err) {
                setError(messageOf(err))
              }
            }}
          >
            Delete project
          </button>
        ) : (
          <button
            type="button"
            onClick={async () => {
              try {
                await api.members.leave.mutate({ projectId })
                location.assign('/')
              } catch (err) {
                setError(messageOf(err))
              }
            }}
          >
            Leave project
          </button>
        )}
      </section>
    </main>
  )
}
