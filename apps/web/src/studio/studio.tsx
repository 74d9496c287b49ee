'use client'

import { SongError } from '@ensemble/core'
import { useCallback, useEffect, useState } from 'react'
import { PresenceBar } from './components/presence-bar'
import { SaveIndicator } from './components/save-indicator'
import { SongHeader } from './components/song-header'
import { TrackList } from './components/track-list'
import { usePresence, useSaveStatus, useUndoState } from './session/hooks'
import { type SongSession, useSongSession } from './session/song-session'

function StudioView({ session }: { session: SongSession }) {
  const status = useSaveStatus(session)
  const people = usePresence(session)
  const { canUndo, canRedo } = useUndoState(session)
  const [error, setError] = useState<string | null>(null)
  const onError = useCallback((err: unknown) => {
    setError(err instanceof SongError || err instanceof Error ? err.message : String(err))
  }, [])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null
      if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT')) return
      if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== 'z') return
      e.preventDefault()
      if (e.shiftKey) session.undo.redo()
      else session.undo.undo()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [session])

  return (
    <div style={{ display: 'grid', gridTemplateRows: 'auto 1fr', height: '100vh' }}>
      <header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 16,
          padding: '10px 16px',
          background: 'var(--panel)',
          borderBottom: '1px solid var(--line)',
        }}
      >
        <a href="/" style={{ fontWeight: 700, textDecoration: 'none' }}>
          Ensemble
        </a>
        <SongHeader session={session} onError={onError} />
        <div style={{ flex: 1 }} />
        <button type="button" disabled={!canUndo} onClick={() => session.undo.undo()} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button
          type="button"
          disabled={!canRedo}
          onClick={() => session.undo.redo()}
          title="Redo (Ctrl+Shift+Z)"
        >
          Redo
        </button>
        <PresenceBar people={people} myClientId={session.doc.clientID} />
        <SaveIndicator status={status} />
        {session.role === 'viewer' && <span style={{ color: 'var(--warn)' }}>Read only</span>}
      </header>
      <main style={{ overflow: 'auto' }}>
        {error && (
          <div role="alert" style={{ background: '#3b1d1d', color: 'var(--danger)', padding: '8px 16px' }}>
            {error}{' '}
            <button type="button" onClick={() => setError(null)}>
              Dismiss
            </button>
          </div>
        )}
        <TrackList session={session} onError={onError} />
      </main>
    </div>
  )
}

export function Studio({ projectId }: { projectId: string }) {
  const state = useSongSession(projectId)
  if (state.status === 'failed') {
    return (
      <p role="alert" style={{ padding: 24, color: 'var(--danger)' }}>
        {state.message}
      </p>
    )
  }
  if (state.status === 'connecting')
    return <p style={{ padding: 24, color: 'var(--muted)' }}>Opening the song…</p>
  return <StudioView session={state.session} />
}
