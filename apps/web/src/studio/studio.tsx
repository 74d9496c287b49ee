'use client'

// The shell's look first, so each feature's stylesheet (imported beside the feature) comes after it.
import './studio.css'
import { SongError } from '@ensemble/core'
import { Eye, MessageSquare, MessagesSquare, Puzzle, Redo2, Undo2 } from 'lucide-react'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { DeadEndNotice } from '../brand/dead-end-notice'
import { Logo } from '../brand/logo'
import { assetPath } from '../wire/assets'
import { AiPanel } from './ai/ai-panel'
import { useBackgroundArrival } from './ai/background-arrival'
import { WhatNext } from './ai/what-next'
import { Arrangement } from './arrangement/arrangement'
import { announce, onAudioStored, resync } from './audio/asset-arrivals'
import { ChangesSince } from './changes/changes-panel'
import { ChatPanel } from './chat/chat-panel'
import { createClipboard } from './commands/clipboard'
import { useCommandKeys } from './commands/command-keys'
import { HelpOverlay } from './commands/help-overlay'
import { STUDIO_COMMANDS } from './commands/studio-commands'
import { CommentsPanel } from './comments/comments-panel'
import { createDiscussionStore, DiscussionProvider, useDiscussion } from './comments/discussion-store'
import { IconButton } from './components/icon-button'
import { PresenceBar } from './components/presence-bar'
import { SaveIndicator } from './components/save-indicator'
import { ShareButton } from './components/share-dialog'
import { SongHeader } from './components/song-header'
import { DeviceChainPanel } from './devices/device-chain'
import { ClipEditor } from './editor/clip-editor'
import { createJamSession } from './jam/jam-session'
import { Mixer } from './mixer/mixer'
import { useFollow } from './presence/follow'
import { createPresencePublisher } from './presence/presence-publisher'
import { AudioRecordBar } from './recording/audio-record-bar'
import { usePresence, useSaveStatus, useUndoState } from './session/hooks'
import { type SongSession, useSongSession } from './session/song-session'
import { type StudioHandle, StudioProvider, useStudio } from './studio-context'
import { TransportBar } from './toolbar/transport-bar'
import { createAudioTransport } from './transport/audio-transport'
import { VersionHistory } from './versions/version-panel'
import { createViewStore, useView } from './view/view-store'

function StudioLayout({ error, onDismiss }: { error: string | null; onDismiss: () => void }) {
  const studio = useStudio()
  const { session } = studio
  const status = useSaveStatus(session)
  const people = usePresence(session)
  const { canUndo, canRedo } = useUndoState(session)
  const editor = useView(studio.view, (s) => s.editor)
  const helpOpen = useView(studio.view, (s) => s.helpOpen)
  const mixerOpen = useView(studio.view, (s) => s.mixerOpen)
  const following = useView(studio.view, (s) => s.following)
  const aiTrackId = useView(studio.view, (s) => s.aiTrackId)
  const chainOwner = useView(studio.view, (s) => s.chainOwner)
  const panel = useView(studio.view, (s) => s.discussion)
  const { newMentions, newChat } = useDiscussion()
  const toggle = (which: 'comments' | 'chat') =>
    studio.view.set({ discussion: panel === which ? null : which, commentFocus: null })
  useCommandKeys(STUDIO_COMMANDS, studio, studio.report)
  useFollow()
  const followed = people.find((p) => p.clientId === following)

  return (
    <div className="st-studio" data-testid="studio">
      <header className="st-header">
        <Logo size={18} />
        <SongHeader session={session} onError={studio.report} />
        <span className="st-grow" />
        <span className="st-seg">
          <IconButton
            icon={Undo2}
            size={16}
            label="Undo"
            title="Undo (Ctrl+Z)"
            disabled={!canUndo}
            onClick={() => session.undo.undo()}
          />
          <IconButton
            icon={Redo2}
            size={16}
            label="Redo"
            title="Redo (Ctrl+Shift+Z)"
            disabled={!canRedo}
            onClick={() => session.undo.redo()}
          />
        </span>
        <PresenceBar
          people={people}
          myClientId={session.doc.clientID}
          following={following}
          onFollow={(clientId) => studio.view.set({ following: clientId })}
        />
        <SaveIndicator status={status} />
        {session.role === 'viewer' && (
          <span className="st-warn st-nowrap" title="Read only: viewers can listen and look">
            <Eye size={14} aria-hidden /> <span className="st-label">Read only</span>
          </span>
        )}
        <button
          type="button"
          className={`button${panel === 'comments' ? ' active' : ''}`}
          aria-pressed={panel === 'comments'}
          data-testid="comments-button"
          onClick={() => toggle('comments')}
          title="Comments on the music"
        >
          <MessageSquare size={15} aria-hidden /> <span className="st-label">Comments</span>
          {newMentions > 0 && (
            <span className="st-badge" data-testid="mention-badge" title={`${newMentions} new mentions`}>
              @{newMentions}
            </span>
          )}
        </button>
        <button
          type="button"
          className={`button${panel === 'chat' ? ' active' : ''}`}
          aria-pressed={panel === 'chat'}
          data-testid="chat-button"
          onClick={() => toggle('chat')}
          title="The song's chat"
        >
          <MessagesSquare size={15} aria-hidden /> <span className="st-label">Chat</span>
          {newChat > 0 && panel !== 'chat' && (
            <span className="st-badge" title={`${newChat} new messages`}>
              {newChat}
            </span>
          )}
        </button>
        <VersionHistory session={session} />
        <a
          className="button"
          aria-label="Plugins"
          href={`/plugins?project=${encodeURIComponent(session.projectId)}`}
          title="Find and install AI plugins"
        >
          <Puzzle size={15} aria-hidden /> <span className="st-label">Plugins</span>
        </a>
        <ShareButton session={session} />
      </header>
      <TransportBar />
      <AudioRecordBar />
      {followed && (
        <div className="st-following" style={{ ['--who' as string]: followed.colour }}>
          Following {followed.name}{' '}
          <button type="button" onClick={() => studio.view.set({ following: null })}>
            Stop
          </button>
        </div>
      )}
      <ChangesSince />
      <WhatNext />
      {error && (
        <div role="alert" className="st-alert">
          {error}{' '}
          <button type="button" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
      <div className={`st-body${aiTrackId || panel || chainOwner ? ' has-ai' : ''}`}>
        <main className={`st-main${editor ? ' has-editor' : ''}`}>
          <Arrangement />
          {editor && <ClipEditor key={`${editor.trackId}/${editor.clipId}`} target={editor} />}
          {mixerOpen && <Mixer />}
        </main>
        {aiTrackId && <AiPanel key={aiTrackId} trackId={aiTrackId} />}
        {chainOwner && <DeviceChainPanel key={chainOwner} owner={chainOwner} />}
        {panel === 'comments' && <CommentsPanel />}
        {panel === 'chat' && <ChatPanel />}
      </div>
      {helpOpen && (
        <HelpOverlay commands={STUDIO_COMMANDS} onClose={() => studio.view.set({ helpOpen: false })} />
      )}
    </div>
  )
}

function StudioView({ session }: { session: SongSession }) {
  const [error, setError] = useState<string | null>(null)
  const report = useCallback((err: unknown) => {
    setError(err instanceof SongError || err instanceof Error ? err.message : String(err))
  }, [])
  const discussion = useMemo(() => createDiscussionStore(session, session.me.userId), [session])
  useEffect(() => () => discussion.destroy(), [discussion])
  const handle = useMemo<StudioHandle>(() => {
    const view = createViewStore()
    const transport = createAudioTransport(session.doc, view, {
      assetUrl: (hash) => assetPath(session.projectId, hash),
    })
    const presence = createPresencePublisher(session.connection.provider.awareness, view)
    const jam = createJamSession({
      link: session.connection.jam,
      transport,
      doc: session.doc,
      self: { id: session.me.userId, name: session.userName },
      canPlay: session.role !== 'viewer',
      origin: session.me,
    })
    return {
      session,
      view,
      clipboard: createClipboard(),
      transport,
      audio: transport,
      jam,
      presence,
      report,
      run(write) {
        try {
          write()
        } catch (err) {
          report(err)
        }
      },
      audition: (trackId, pitch, velocity) => transport.audition(trackId, pitch, velocity),
    }
  }, [session, report])
  useEffect(
    () => () => {
      handle.jam.destroy()
      handle.transport.destroy()
      handle.presence.destroy()
    },
    [handle],
  )
  useBackgroundArrival(session, report)
  // The server announces stored assets (message 102): waveforms and the engine fetch them at once.
  useEffect(() => {
    const feed = session.connection.assets
    const offNotice = feed.subscribe(({ part, sha256 }) => announce(part, sha256))
    const offResync = feed.onResync(resync)
    const offStored = onAudioStored((hash) => handle.audio.audioStored(hash))
    return () => {
      offNotice()
      offResync()
      offStored()
    }
  }, [session, handle])
  return (
    <StudioProvider value={handle}>
      <DiscussionProvider value={discussion}>
        <StudioLayout error={error} onDismiss={() => setError(null)} />
      </DiscussionProvider>
    </StudioProvider>
  )
}

export function Studio({ projectId }: { projectId: string }) {
  const state = useSongSession(projectId)
  if (state.status === 'failed') {
    return (
      <main className="page narrow">
        <DeadEndNotice>
          <p role="alert" className="error">
            {state.message}
          </p>
        </DeadEndNotice>
      </main>
    )
  }
  if (state.status === 'connecting')
    return <p style={{ padding: 24, color: 'var(--muted)' }}>Opening the song…</p>
  return <StudioView session={state.session} />
}
