import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MessageType } from '../src/server/collab/protocol'
import { freePort, killAllServers, spawnServer } from './helpers/child'
import { tokenFor } from './helpers/clients'
import { seedPgliteDir, uniqueProjectId } from './helpers/db'
import { waitFor } from './helpers/wait'

/**
 * The heartbeat across a paused server process (SIGSTOP, then SIGCONT): clients that stopped
 * answering while it was paused are dropped, and clients that answer stay connected.
 */

const HEARTBEAT_MS = 1000

/** A client that answers pings by hand, so the test decides when it stops (goes dead). */
interface Responder {
  ws: WebSocket
  answering: boolean
  closed: boolean
}

async function openResponder(url: string): Promise<Responder> {
  const ws = new WebSocket(url, { autoPong: false })
  const r: Responder = { ws, answering: true, closed: false }
  ws.on('ping', (data) => {
    if (r.answering) ws.pong(data)
  })
  ws.on('close', () => {
    r.closed = true
  })
  ws.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return r
}

describe('collab heartbeat', () => {
  let dataDir = ''

  afterEach(async () => {
    await killAllServers()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('a server paused with a ping in flight drops, after SIGCONT, the clients that stopped answering, and keeps the rest', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-heartbeat-'))
    await seedPgliteDir(path.join(dataDir, 'pglite'))
    const port = await freePort()
    const env = { COLLAB_HEARTBEAT_MS: String(HEARTBEAT_MS), COLLAB_TOKEN_ONLY_ROOMS: '1' }
    const server = await spawnServer({ port, dataDir, driver: 'pglite', env })
    const project = uniqueProjectId('heartbeat')
    const url = `ws://127.0.0.1:${port}/collab/${project}?token=${await tokenFor(project, { sub: 'pinged' })}`
    // Connected first, so each heartbeat pings it first.
    const trigger = await openResponder(url)
    const live = [trigger, ...(await Promise.all([0, 1].map(() => openResponder(url))))]
    const dying = await Promise.all([0, 1, 2].map(() => openResponder(url)))
    await new Promise((resolve) => trigger.ws.once('ping', resolve))

    // Paused right after a ping went out, before its pongs are read: the worst moment for a
    // heartbeat, as Node runs the timer that came due during the pause before it reads the sockets.
    await new Promise<void>((resolve) => {
      trigger.ws.prependOnceListener('ping', () => {
        server.child.kill('SIGSTOP')
        for (const d of dying) d.answering = false
        resolve()
      })
    })
    await new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_MS))
    server.child.kill('SIGCONT')

    await waitFor(() => dying.every((d) => d.closed), 'the clients that stopped answering dropped')
    expect(live.map((r) => r.closed)).toEqual([false, false, false])
    // The server answers them as before.
    const answer = new Promise((resolve) => trigger.ws.once('message', resolve))
    trigger.ws.send(new Uint8Array([MessageType.queryAwareness]))
    await answer
    expect(live.map((r) => r.closed)).toEqual([false, false, false])
    for (const r of live) r.ws.close()
  }, 90_000)
})
