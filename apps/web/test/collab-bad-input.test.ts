import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { RunningServer } from '../src/server/app'
import { CloseCode, encodeSyncUpdate } from '../src/server/collab/protocol'
import type { Database } from '../src/server/db'
import {
  connectSynced,
  destroyAll,
  docState,
  isSaved,
  loadStoredDoc,
  openRawSocket,
  type TestClient,
  tokenFor,
} from './helpers/clients'
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

const maxPayloadBytes = 64 * 1024

function realUpdate(): Uint8Array {
  const doc = new Y.Doc()
  doc.getMap('m').set('evil', 'x'.repeat(50))
  return Y.encodeStateAsUpdate(doc)
}

const badFrames: [string, () => Uint8Array, number][] = [
  ['unknown message type', () => new Uint8Array([42]), CloseCode.malformed],
  ['unknown sync sub-type', () => new Uint8Array([0, 9, 0]), CloseCode.malformed],
  ['bad varint (never terminates)', () => new Uint8Array([0xff, 0xff, 0xff]), CloseCode.malformed],
  ['length beyond the frame', () => new Uint8Array([0, 2, 100, 1, 2]), CloseCode.malformed],
  ['trailing bytes', () => new Uint8Array([3, 7]), CloseCode.malformed],
  [
    'corrupt update (garbage)',
    () => encodeSyncUpdate(new Uint8Array([5, 0xff, 0xff, 0xff, 1, 2, 3])),
    CloseCode.invalidUpdate,
  ],
  ['corrupt update (truncated)', () => encodeSyncUpdate(realUpdate().slice(0, 20)), CloseCode.invalidUpdate],
  ['corrupt awareness', () => new Uint8Array([1, 4, 1, 1, 1, 0x7b]), CloseCode.invalidUpdate],
  ['oversized frame', () => new Uint8Array(maxPayloadBytes + 1024), CloseCode.tooLarge],
]

describe.each(drivers)('bad input on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let clients: TestClient[] = []

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, {
      tokenOnlyRooms: true,
      limits: { maxPayloadBytes, messageBurst: 30, messagesPerSecond: 10 },
    })
  })
  afterEach(() => {
    destroyAll(clients)
    clients = []
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('each bad frame closes only its own connection; the room, other clients and storage are untouched', async () => {
    const project = uniqueProjectId()
    const editor = await connectSynced(collabUrl(server), project, { sub: 'good' })
    const watcher = await connectSynced(collabUrl(server), project, { sub: 'watch' })
    clients = [editor, watcher]
    editor.map.set('initial', 0)
    await waitFor(() => isSaved(editor), 'initial saved')

    for (const [i, [name, frame, code]] of badFrames.entries()) {
      const raw = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub: `bad${i}` }))
      raw.ws.send(frame())
      const closed = await raw.closed
      expect({ name, code: closed.code }).toEqual({ name, code })
      if (code !== CloseCode.tooLarge) expect(closed.reason).not.toBe('')
      // The room keeps working for everyone else.
      editor.map.set(`after-${i}`, i)
      await waitFor(() => watcher.map.get(`after-${i}`) === i && isSaved(editor), `edit after "${name}"`)
      expect(editor.provider.wsconnected && watcher.provider.wsconnected).toBe(true)
    }
    const expected = { initial: 0, ...Object.fromEntries(badFrames.map((_, i) => [`after-${i}`, i])) }
    expect(docState(editor.doc)).toEqual(expected)
    expect(docState(await loadStoredDoc(database.db, project))).toEqual(expected)
    expect(server.collab.stats().connections).toBe(2)
  })

  it('a client over the message rate limit is closed with 4429', async () => {
    const project = uniqueProjectId()
    const raw = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub: 'flood' }))
    const queryAwareness = new Uint8Array([3])
    for (let i = 0; i < 100; i++) raw.ws.send(queryAwareness)
    expect((await raw.closed).code).toBe(CloseCode.rateLimited)
  })
})
