'use client'

import { applyRestore, readSong, type SongSnapshot } from '@ensemble/core'
import { History as HistoryIcon } from 'lucide-react'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import * as Y from 'yjs'
import { api, messageOf } from '../../client/api/client'
import type { SongSession } from '../session/song-session'

/** The server sends song states and updates as base64 (tRPC carries JSON). */
const decodeState = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))

/**
 * Version history: name the song as it is now (the server snapshots its own copy), list versions
 * with author and time, preview one read-only, restore one (an undoable change everyone sees).
 */

type Version = Awaited<ReturnType<typeof api.versions.list.query>>[number]

interface Preview {
  version: Version
  song: SongSnapshot
}

export function VersionHistory({ session }: { session: SongSession }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-label="History"
        title="Version history"
        onClick={() => setOpen((o) => !o)}
      >
        <HistoryIcon size={15} aria-hidden /> <span className="st-label">History</span>
      </button>
      {open && <VersionPanel session={session} onClose={() => setOpen(false)} />}
    </>
  )
}

function VersionPanel({ session, onClose }: { session: SongSession; onClose: () => void }) {
  const [versions, setVersions] = useState<Version[] | null>(null)
  const [preview, setPreview] = useState<Preview | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const canEdit = session.role !== 'viewer'
  const { projectId } = session

  const load = useCallback(() => {
    api.versions.list
      .query({ projectId })
      .then(setVersions)
      .catch((err: unknown) => setError(messageOf(err)))
  }, [projectId])
  useEffect(load, [load])

  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const name = String(new FormData(form).get('name') ?? '')
    setError(null)
    try {
      await api.versions.create.mutate({ projectId, name })
      form.reset()
      load()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  const fetchState = async (v: Version) =>
    decodeState((await api.versions.get.query({ projectId, versionId: v.id })).state)

  const showPreview = async (v: Version) => {
    try {
      const doc = new Y.Doc()
      Y.applyUpdate(doc, await fetchState(v))
      setPreview({ version: v, song: readSong(doc) })
      doc.destroy()
    } catch (err) {
      setError(messageOf(err))
    }
  }

  const restore = async (v: Version) => {
    if (!confirm(`Restore “${v.name}”? Everyone sees the change; you can undo it.`)) return
    try {
      const { update } = await api.versions.restoreUpdate.query({ projectId, versionId: v.id })
      applyRestore(session.doc, session.me, v.id, decodeState(update))
      setNotice(`Restored “${v.name}”. Undo (Ctrl+Z) takes it back.`)
      setPreview(null)
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <aside
      data-testid="version-panel"
      aria-label="Version history"
      style={{
        position: 'fixed',
        top: 56,
        right: 12,
        bottom: 12,
        width: 360,
        overflow: 'auto',
        zIndex: 20,
        background: 'var(--panel)',
        border: '1px solid var(--line)',
        borderRadius: 8,
        padding: 12,
        display: 'grid',
        alignContent: 'start',
        gap: 10,
      }}
    >
      <div style={{ display: 'flex', alignItems: 'center' }}>
        <strong style={{ flex: 1 }}>Version history</strong>
        <button type="button" onClick={onClose} aria-label="Close version history">
          ×
        </button>
      </div>
      {canEdit ? (
        <form onSubmit={create} style={{ display: 'flex', gap: 6 }}>
          <input
            name="name"
            aria-label="Version name"
            placeholder="Name this version"
            required
            maxLength={120}
            style={{ flex: 1 }}
          />
          <button type="submit">Save</button>
        </form>
      ) : (
        <small style={{ color: 'var(--muted)' }}>
          Viewers can look at versions but not save or restore them.
        </small>
      )}
      {error && (
        <p role="alert" style={{ color: 'var(--danger)', margin: 0 }}>
          {error}
        </p>
      )}
      {notice && <p style={{ color: 'var(--accent)', margin: 0 }}>{notice}</p>}
      {versions === null ? (
        <small style={{ color: 'var(--muted)' }}>Loading…</small>
      ) : versions.length === 0 ? (
        <small style={{ color: 'var(--muted)' }}>No versions yet.</small>
      ) : (
        <ul style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: 6 }}>
          {versions.map((v) => (
            <li
              key={v.id}
              data-testid="version"
              style={{ borderTop: '1px solid var(--line)', paddingTop: 6 }}
            >
              <div style={{ overflowWrap: 'anywhere', fontWeight: 600 }}>{v.name}</div>
              <small style={{ color: 'var(--muted)' }}>
                {v.authorName ?? 'someone'} · {new Date(v.createdAt).toLocaleString()}
              </small>
              <div style={{ display: 'flex', gap: 6, marginTop: 4 }}>
                <button type="button" onClick={() => showPreview(v)}>
                  Preview
                </button>
                {canEdit && (
                  <button type="button" onClick={() => restore(v)}>
                    Restore
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {preview && <VersionPreview preview={preview} onClose={() => setPreview(null)} />}
    </aside>
  )
}

/** Read-only: a summary of the version's song, never the live doc. */
function VersionPreview({ preview, onClose }: { preview: Preview; onClose: () => void }) {
  const { meta, tracks } = preview.song
  return (
    <section
      data-testid="version-preview"
      style={{ background: 'var(--panel-2)', borderRadius: 8, padding: 10 }}
    >
      <div style={{ display: 'flex' }}>
        <strong style={{ flex: 1, overflowWrap: 'anywhere' }}>Preview: {preview.version.name}</strong>
        <button type="button" onClick={onClose} aria-label="Close preview">
          ×
        </button>
      </div>
      <p style={{ margin: '6px 0' }}>
        <span data-testid="preview-title" style={{ overflowWrap: 'anywhere' }}>
          {meta.title}
        </span>{' '}
        · {meta.bpm} bpm · {meta.timeSignature.numerator}/{meta.timeSignature.denominator}
      </p>
      <ul style={{ margin: 0, paddingLeft: 18 }}>
        {tracks.map((t) => (
          <li key={t.id} style={{ overflowWrap: 'anywhere' }}>
            {t.name} ({t.kind}) · {t.clips.length} clips · {t.clips.reduce((n, c) => n + c.notes.length, 0)}{' '}
            notes
          </li>
        ))}
      </ul>
    </section>
  )
}
