import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { presenceColour } from '../src/presence/colour'
import type { RunningServer } from '../src/server/app'
import {
  type AwarenessEntry,
  encodeAwareness,
  encodeAwarenessEntries,
  MessageType,
  parseMessage,
} from '../src/server/collab/protocol'
import type { Role } from '../src/server/collab/tokens'
import type { Database } from '../src/server/db'
import { signUp } from './helpers/api'
import {
  connectSynced,
  destroyAll,
  openRawSocket,
  openSongAs,
  type RawSocket,
  type TestClient,
  tokenFor,
} from './helpers/clients'
import { drivers, openTestDatabase, uniqueProjectId } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/**
 * Presence over the real WebSocket: a connection speaks only for its own awareness client id, and
 * bandmates see the name from its room token and the colour of its user id, whatever the client claims.
 */

interface Peer extends RawSocket {
  /** Every awareness entry this socket received, in order. */
  seen: AwarenessEntry[]
  announce(entries: AwarenessEntry[]): void
}

async function openPeer(
  project: string,
  server: RunningServer,
  sub: string,
  name: string,
  role: Role,
): Promise<Peer> {
  const raw = await openRawSocket(collabUrl(server), project, await tokenFor(project, { sub, name, role }))
  const seen: AwarenessEntry[] = []
  raw.ws.on('message', (data: Buffer) => {
    // Awareness frames are the same both ways, so the server's parser reads what it sends too.
    const message = parseMessage(new Uint8Array(data))
    if (message.kind === 'awareness') seen.push(...message.entries)
  })
  return {
    ...raw,
    seen,
    announce: (entries) => raw.ws.send(encodeAwareness(encodeAwarenessEntries(entries))),
  }
}

const OWNER_ID = 1001
const VIEWER_ID = 2002

const ownerState = {
  user: { id: 'owner', name: 'Olivia', colour: presenceColour('owner') },
  cursor: { x: 1 },
}
const userOf = (entry: AwarenessEntry | undefined): unknown =>
  (entry?.state as { user?: unknown } | null)?.user

describe.each(drivers)('collab presence on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let peers: Peer[] = []
  let clients: TestClient[] = []

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database, { tokenOnlyRooms: true })
  })
  afterEach(() => {
    for (const p of peers) p.ws.close()
    peers = []
    destroyAll(clients)
    clients = []
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  /** Peers joining a new song one after another, in the order given; closed after the test. */
  async function joinNewSong<T extends readonly (readonly [sub: string, name: string, role: Role])[]>(
    ...who: T
  ): Promise<{ project: string; peers: { [K in keyof T]: Peer } }> {
    const project = uniqueProjectId('presence')
    const joined: Peer[] = []
    for (const [sub, name, role] of who) {
      const peer = await openPeer(project, server, sub, name, role)
      peers.push(peer)
      joined.push(peer)
    }
    return { project, peers: joined as { [K in keyof T]: Peer } }
  }

  it("a viewer's awareness for the owner's client id never reaches a bandmate; its own gets its verified name", async () => {
    const {
      project,
      peers: [owner, watcher, viewer],
    } = await joinNewSong(
      ['owner', 'Olivia', 'owner'],
      ['watcher', 'Wanda', 'editor'],
      ['viewer', 'Vic', 'viewer'],
    )
    owner.announce([{ clientID: OWNER_ID, clock: 1, state: ownerState }])
    await waitFor(
      () => watcher.seen.some((e) => e.clientID === OWNER_ID),
      "the owner's presence reached the watcher",
    )

    // The viewer moves the owner's cursor, renames them, makes them leave, and poses as them.
    viewer.announce([
      { clientID: OWNER_ID, clock: 5, state: { user: { id: 'owner', name: 'Hacked' }, cursor: { x: 999 } } },
    ])
    viewer.announce([{ clientID: OWNER_ID, clock: 6, state: null }])
    viewer.announce([
      { clientID: VIEWER_ID, clock: 1, state: { user: { id: 'owner', name: 'Olivia' }, cursor: { x: 7 } } },
    ])
    // One socket's frames are handled and broadcast in order: once its own entry is in, the forged ones were handled.
    await waitFor(
      () => watcher.seen.some((e) => e.clientID === VIEWER_ID),
      "the viewer's own presence reached the watcher",
    )

    expect(watcher.seen.filter((e) => e.clientID === OWNER_ID)).toEqual([
      { clientID: OWNER_ID, clock: 1, state: ownerState },
    ])
    expect((await server.collab.rooms.peek(project))?.droppedAwarenessEntries).toBe(2)
    expect(watcher.seen.find((e) => e.clientID === VIEWER_ID)?.state).toEqual({
      user: { id: 'viewer', name: 'Vic', colour: presenceColour('viewer') },
      cursor: { x: 7 },
    })
    // Someone joining now sees the same room: the owner as they are, the viewer under their own name.
    const joiner = await openPeer(project, server, 'joiner', 'Jo', 'editor')
    peers.push(joiner)
    // Asked for (query awareness), not the greeting: that may come before the listener is on.
    joiner.ws.send(new Uint8Array([MessageType.queryAwareness]))
    await waitFor(() => joiner.seen.length >= 2, 'the room state reached the joiner')
    expect(joiner.seen.find((e) => e.clientID === OWNER_ID)?.state).toEqual(ownerState)
    expect(userOf(joiner.seen.find((e) => e.clientID === VIEWER_ID))).toEqual({
      id: 'viewer',
      name: 'Vic',
      colour: presenceColour('viewer'),
    })
  })

  it('a client that claims another name and colour is shown under its verified ones (the stock provider)', async () => {
    const project = uniqueProjectId('presence')
    const [mallory, bob] = await Promise.all([
      connectSynced(collabUrl(server), project, { sub: 'mallory', name: 'Mallory' }),
      connectSynced(collabUrl(server), project, { sub: 'bob', name: 'Bob' }),
    ])
    clients = [mallory, bob]
    // Bob's own colour, so that Bob's bandmates would take Mallory's cursor for Bob's.
    const bobs = presenceColour('bob')
    expect(bobs).not.toBe(presenceColour('mallory'))
    mallory.provider.awareness.setLocalStateField('user', { id: 'bob', name: 'Bob', colour: bobs })
    const malloryAsBobSees = () => bob.provider.awareness.getStates().get(mallory.doc.clientID)
    await waitFor(() => malloryAsBobSees()?.user?.colour !== undefined, "Mallory's claim reached Bob")
    expect(malloryAsBobSees()?.user).toEqual({
      id: 'mallory',
      name: 'Mallory',
      colour: presenceColour('mallory'),
    })
  })

  it('the name bandmates see is the one the account signed up with (room token from the API)', async () => {
    const base = `http://127.0.0.1:${server.port}`
    const [olivia, vic] = await Promise.all([signUp(base, 'olivia', 'Olivia'), signUp(base, 'vic', 'Vic')])
    const project = await seedProject(database.db, [
      { userId: olivia.userId, role: 'owner' },
      { userId: vic.userId, role: 'viewer' },
    ])
    const [owner, viewer] = await Promise.all([
      openSongAs(collabUrl(server), olivia, project),
      openSongAs(collabUrl(server), vic, project),
    ])
    clients = [owner, viewer]
    viewer.provider.awareness.setLocalStateField('user', {
      id: olivia.userId,
      name: 'Olivia',
      colour: presenceColour(olivia.userId),
    })
    const viewerAsOwnerSees = () => owner.provider.awareness.getStates().get(viewer.doc.clientID)
    await waitFor(
      () => viewerAsOwnerSees()?.user?.colour !== undefined,
      "the viewer's claim reached the owner",
    )
    // The same colour on every device and session: derived from the account's id.
    expect(viewerAsOwnerSees()?.user).toEqual({
      id: vic.userId,
      name: 'Vic',
      colour: presenceColour(vic.userId),
    })
  })

  it("a client id is its connection's until it closes; then a reconnect may use it again, or a new one", async () => {
    const {
      project,
      peers: [first, watcher, rival],
    } = await joinNewSong(
      ['alice', 'Alice', 'editor'],
      ['watcher', 'Wanda', 'editor'],
      ['alice', 'Alice', 'editor'],
    )
    first.announce([{ clientID: OWNER_ID, clock: 1, state: { cursor: { x: 1 } } }])
    await waitFor(() => watcher.seen.some((e) => e.clientID === OWNER_ID), 'the first presence')
    // Even the same user's other connection cannot take the id while its owner is connected.
    rival.announce([{ clientID: OWNER_ID, clock: 9, state: { cursor: { x: 2 } } }])
    rival.announce([{ clientID: VIEWER_ID, clock: 1, state: { cursor: { x: 3 } } }])
    await waitFor(() => watcher.seen.some((e) => e.clientID === VIEWER_ID), "the rival's own presence")
    expect(watcher.seen.filter((e) => e.clientID === OWNER_ID).map((e) => e.state)).toEqual([
      { user: { id: 'alice', name: 'Alice', colour: presenceColour('alice') }, cursor: { x: 1 } },
    ])

    first.ws.close()
    await waitFor(
      () => watcher.seen.some((e) => e.clientID === OWNER_ID && e.state === null),
      "the first connection's presence removed when it closed",
    )
    const again = await openPeer(project, server, 'alice', 'Alice', 'editor')
    peers.push(again)
    again.announce([{ clientID: OWNER_ID, clock: 10, state: { cursor: { x: 4 } } }])
    await waitFor(
      () => watcher.seen.some((e) => e.clientID === OWNER_ID && e.clock === 10),
      'the reconnect announced under its old id',
    )
    expect(watcher.seen.at(-1)?.state).toEqual({
      user: { id: 'alice', name: 'Alice', colour: presenceColour('alice') },
      cursor: { x: 4 },
    })
  })
})
