import { UserOrigin } from '@ensemble/core'
import { connectSong } from '@ensemble/web/collab-client'
import type { Page } from '@playwright/test'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { roomToken } from './open-song'

/**
 * Writes to a song from a second client of the page's user, in Node: a room token from the real API, the
 * stock provider on the collab WebSocket, core's operations, as another studio of the band would. Resolves
 * once the server has saved every edit (its "saved" message), so the open page has them or is receiving
 * them. For songs too big or too odd to build by hand in the studio (a 12,000-note arrangement, two notes on
 * one step of one drum voice).
 */
export async function writeAsBandmate(
  page: Page,
  songId: string,
  write: (doc: Y.Doc, me: UserOrigin) => void,
): Promise<void> {
  const { token, userId } = await roomToken(page, songId)
  const doc = new Y.Doc()
  const connection = connectSong({
    url: `ws://127.0.0.1:${process.env.E2E_PORT ?? 3900}/collab`,
    projectId: songId,
    token,
    doc,
    persist: false,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  })
  try {
    await new Promise<void>((resolve) => {
      if (connection.provider.synced) resolve()
      else connection.provider.once('sync', () => resolve())
    })
    write(doc, new UserOrigin(userId))
    await new Promise<void>((resolve) => {
      if (connection.saved.get() === 'saved') resolve()
      const off = connection.saved.subscribe((status) => {
        if (status !== 'saved') return
        off()
        resolve()
      })
    })
  } finally {
    connection.destroy()
  }
}
