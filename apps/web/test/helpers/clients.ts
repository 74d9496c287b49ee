import { UserOrigin } from '@ensemble/core'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { connectSong, type SongConnection } from '../../src/client/collab'
import { type Role, type RoomClaims, signRoomToken } from '../../src/server/collab/tokens'
import type { Db } from '../../src/server/db'
import * as Ydb from '../../src/server/db/update-log'
import type { Caller } from './api'
import { testSecret } from './server'
import { waitFor } from './wait'

/** `ws` stands in for the browser WebSocket; y-websocket only needs the standard surface. */
const NodeWebSocket = WebSocket as unknown as typeof globalThis.WebSocket

export interface TestClient extends SongConnection {
  doc: Y.Doc
  map: Y.Map<unknown>
}

export function tokenFor(
  projectId: string,
  claims: Partial<RoomClaims> = {},
  secret = testSecret,
  exp?: number,
): Promise<string> {
  return signRoomToken(
    {
      sub: claims.sub ?? 'user-1',
      project: claims.project ?? projectId,
      role: claims.role ?? 'editor',
      name: claims.name,
    },
    { secret, ...(exp !== undefined ? { exp } : {}) },
  )
}

/** A real y-websocket provider on a fresh Y.Doc, with the saved-status wiring. */
export async function connectClient(
  url: string,
  projectId: string,
  claims: Partial<RoomClaims> = {},
  secret = testSecret,
): Promise<TestClient> {
  const doc = new Y.Doc()
  const token = await tokenFor(projectId, claims, secret)
  const conn = connectSong({ url, projectId, token, doc, WebSocketPolyfill: NodeWebSocket })
  return { ...conn, doc, map: doc.getMap('m') }
}

export async function connectSynced(
  url: string,
  projectId: string,
  claims: Partial<RoomClaims> = {},
): Promise<TestClient> {
  const client = await connectClient(url, projectId, claims)
  await waitFor(() => client.provider.synced, `client ${claims.sub ?? 'user-1'} synced`)
  return client
}

/** A song opened the studio's way, by a signed-in caller. */
export interface OpenSong extends TestClient {
  me: UserOrigin
  role: Role
  /** Close codes the server sent this connection, in order. */
  closes: number[]
}

/** The studio's way in: a room token from the API for `caller`, then the stock provider; resolves synced. */
export async function openSongAs(url: string, caller: Caller, projectId: string): Promise<OpenSong> {
  const { token, userId, role } = await caller.api.rooms.token.mutate({ projectId })
  const doc = new Y.Doc()
  const conn = connectSong({ url, projectId, token, doc, WebSocketPolyfill: NodeWebSocket })
  const closes: number[] = []
  conn.provider.on('connection-close', (event) => {
    if (event) closes.push(event.code)
  })
  await waitFor(() => conn.provider.synced, `${caller.name} synced`)
  return { ...conn, doc, map: doc.getMap('m'), me: new UserOrigin(userId), role, closes }
}

/** True once the server acknowledged every local change of this client. */
export const isSaved = (c: TestClient): boolean =>
  c.saved.savedClock(c.doc.clientID) >= Y.getState(c.doc.store, c.doc.clientID)

export const docState = (doc: Y.Doc): unknown => doc.getMap('m').toJSON()

/** Order-independent text of the test doc (Y.Map key order differs between replicas). */
export const canonical = (doc: Y.Doc): string => {
  const m = doc.getMap('m').toJSON()
  const sorted = Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, m[k]]),
  )
  return JSON.stringify([sorted, doc.getArray('a').toJSON()])
}

/** The document exactly as stored: newest snapshot + log tail, applied to a fresh doc. */
export async function loadStoredDoc(db: Db, projectId: string): Promise<Y.Doc> {
  const stored = await Ydb.readDocument(db, projectId)
  const doc = new Y.Doc()
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.state)
  for (const row of stored.tail) Y.applyUpdate(doc, row.update)
  return doc
}

/**
 * A raw `ws` socket on a room, for sending hand-made frames. Resolves once open. Like any plain
 * y-websocket client it gets no "saved" messages unless `saved` asks for them (`saved=1`).
 */
export async function openRawSocket(
  url: string,
  projectId: string,
  token: string,
  options: { saved?: boolean } = {},
): Promise<RawSocket> {
  const query = `token=${encodeURIComponent(token)}${options.saved ? '&saved=1' : ''}`
  const ws = new WebSocket(`${url}/${projectId}?${query}`)
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  ws.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
  return { ws, closed }
}

export interface RawSocket {
  ws: WebSocket
  closed: Promise<{ code: number; reason: string }>
}

/** The HTTP status a refused upgrade answers with (or 101 if it was accepted). */
export function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.on('open', () => {
      resolve(101)
      ws.close()
    })
    ws.on('error', (err) => reject(err))
  })
}

export function destroyAll(clients: readonly TestClient[]): void {
  for (const c of clients) c.destroy()
}
