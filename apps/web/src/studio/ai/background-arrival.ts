'use client'

import { acceptProposal, SongError } from '@ensemble/core'
import { BACKGROUND_ID, BACKGROUND_TARGET } from '@ensemble/plugins/background'
import { useEffect } from 'react'
import type { SongSession } from '../session/song-session'
import { useProposals } from './use-proposals'

/**
 * The background maker's song lands in the asker's tab: the server writes it as a proposal of four tracks
 * (server/ai/background.ts), and the tab of the user who asked for it accepts it as soon as it arrives, as
 * that user, so it is one step of their undo and every note carries the run with them as acceptor. Only the
 * maker's (it targets BACKGROUND_TARGET): the same plugin run on a selection from the AI panel waits for the
 * band's choice like any proposal. A proposal only a bandmate asked for is left to them; one already
 * accepted by the asker's other tab is gone, and accepting it again is refused (caught here).
 */
export function useBackgroundArrival(
  session: Pick<SongSession, 'doc' | 'me' | 'role'>,
  report: (err: unknown) => void,
) {
  const proposals = useProposals(session.doc)
  useEffect(() => {
    if (session.role === 'viewer') return
    for (const p of proposals) {
      const makers = p.pluginId === BACKGROUND_ID && p.trackId === BACKGROUND_TARGET && p.kind === 'tracks'
      if (!makers || p.run.requestedBy !== session.me.userId) continue
      try {
        acceptProposal(session.doc, session.me, p.id, 0)
      } catch (err) {
        if (!(err instanceof SongError)) report(err)
      }
    }
  }, [proposals, session, report])
}
