'use client'

import { Link2, Share2, Trash2, X } from 'lucide-react'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { Avatar } from '../../brand/avatar'
import { api, messageOf } from '../../client/api/client'
import { CopyLink } from '../../sharing/copy-link'
import { relativeTime } from '../../text/relative-time'
import type { SongSession } from '../session/song-session'
import { IconButton } from './icon-button'
import './share-dialog.css'

/**
 * Sharing from inside the studio: who is in the band, and, for the owner, invite links by role with
 * a copy button and the pending ones to revoke. The API decides who may do what (invites are
 * owner-only there); this only hides what would be refused.
 */

type Member = Awaited<ReturnType<typeof api.members.list.query>>[number]
type Invite = Awaited<ReturnType<typeof api.invites.list.query>>[number]

export function ShareButton({ session }: { session: SongSession }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        className="st-share"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <Share2 size={15} aria-hidden /> Share
      </button>
      {open && <ShareDialog session={session} onClose={() => setOpen(false)} />}
    </>
  )
}

function ShareDialog({ session, onClose }: { session: SongSession; onClose: () => void }) {
  const { projectId, role } = session
  const isOwner = role === 'owner'
  const [members, setMembers] = useState<Member[] | null>(null)
  const [invites, setInvites] = useState<Invite[]>([])
  const [link, setLink] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      setMembers(await api.members.list.query({ projectId }))
      if (isOwner) setInvites(await api.invites.list.query({ projectId }))
    } catch (err) {
      setError(messageOf(err))
    }
  }, [projectId, isOwner])
  useEffect(() => {
    void load()
  }, [load])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose()
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  const invite = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const inviteRole = new FormData(e.currentTarget).get('role') === 'viewer' ? 'viewer' : 'editor'
    setError(null)
    try {
      const created = await api.invites.create.mutate({ projectId, role: inviteRole })
      setLink(`${location.origin}${created.path}`)
      await load()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  const revoke = async (inviteId: string) => {
    setError(null)
    try {
      await api.invites.revoke.mutate({ projectId, inviteId })
      await load()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  const pending = invites.filter((i) => i.active)
  return (
    <>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the backdrop closes on a click; Escape closes too */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: Escape is handled on the window */}
      <div className="st-backdrop" onClick={onClose} />
      <section
        role="dialog"
        aria-modal="true"
        aria-label="Share"
        className="st-dialog"
        data-testid="share-dialog"
      >
        <header className="st-dialog-head">
          <h2>
            <Share2 size={18} aria-hidden /> Share this song
          </h2>
          <IconButton icon={X} size={16} label="Close share" onClick={onClose} />
        </header>
        {error && (
          <p role="alert" className="st-alert">
            {error}
          </p>
        )}

        {isOwner ? (
          <>
            <form onSubmit={invite} className="st-share-form">
              <label>
                <span className="st-muted st-small">Invite as</span>
                <select name="role" aria-label="Invite role" defaultValue="editor">
                  <option value="editor">Editor: can change the song</option>
                  <option value="viewer">Viewer: can listen and look</option>
                </select>
              </label>
              <button type="submit" className="primary">
                <Link2 size={15} aria-hidden /> Create invite link
              </button>
            </form>
            {link && <CopyLink link={link} testId="share-link" />}
            <h3>Pending invites</h3>
            {pending.length === 0 ? (
              <p className="st-muted st-small">No open invite links.</p>
            ) : (
              <ul className="st-share-list" data-testid="pending-invites">
                {pending.map((i) => (
                  <li key={i.id} data-testid="pending-invite">
                    <span className="role-badge">{i.role}</span>
                    <span className="st-grow st-muted st-small">
                      {i.uses}/{i.maxUses} used · expires {relativeTime(i.expiresAt)}
                    </span>
                    <IconButton
                      icon={Trash2}
                      size={15}
                      label={`Revoke ${i.role} invite`}
                      title="Revoke: the link stops working"
                      onClick={() => revoke(i.id)}
                    />
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : (
          <p className="st-muted">Only the song’s owner can invite people. Ask them for a link.</p>
        )}

        <h3>In this song</h3>
        <ul className="st-share-list" data-testid="share-members">
          {(members ?? []).map((m) => (
            <li key={m.userId}>
              <Avatar id={m.userId} name={m.name} />
              <span className="st-grow">{m.name}</span>
              <span className="role-badge">{m.role}</span>
            </li>
          ))}
        </ul>
        <a className="st-small" href={`/projects/${projectId}/settings`}>
          Members and invites in settings
        </a>
      </section>
    </>
  )
}
