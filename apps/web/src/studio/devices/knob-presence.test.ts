import { describe, expect, it } from 'vitest'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { parseGrab, publishGrab, readRemoteGrabs } from './knob-presence'

/** Two tabs' awareness, with one's state carried to the other as the server relays it. */
const tabs = () => {
  const alice = new Awareness(new Y.Doc())
  const bob = new Awareness(new Y.Doc())
  alice.setLocalStateField('user', { id: 'u-alice', name: 'Alice', colour: '#f97316' })
  const relay = () => applyAwarenessUpdate(bob, encodeAwarenessUpdate(alice, [alice.clientID]), 'server')
  return { alice, bob, relay }
}

describe('who is holding a knob', () => {
  it('shows a bandmate’s grab with their name and colour while they hold it, and not after', () => {
    const { alice, bob, relay } = tabs()
    publishGrab(alice, { device: 'dev-1', param: 'frequency' })
    relay()
    expect(readRemoteGrabs(bob)).toEqual([
      { device: 'dev-1', param: 'frequency', clientId: alice.clientID, name: 'Alice', colour: '#f97316' },
    ])
    // A tab never sees its own grab as a bandmate's.
    expect(readRemoteGrabs(alice)).toEqual([])
    publishGrab(alice, null)
    relay()
    expect(readRemoteGrabs(bob)).toEqual([])
  })

  it('ignores malformed grabs and grabs without a user', () => {
    expect(parseGrab({ device: 'd', param: 'p' })).toEqual({ device: 'd', param: 'p' })
    for (const bad of [null, 'd/p', { device: 'd' }, { device: 1, param: 'p' }, { device: '', param: 'p' }])
      expect(parseGrab(bad)).toBeNull()
    expect(parseGrab({ device: 'd'.repeat(129), param: 'p' })).toBeNull()
    const { alice, bob, relay } = tabs()
    alice.setLocalState({ knob: { device: 'dev-1', param: 'frequency' } })
    relay()
    expect(readRemoteGrabs(bob)).toEqual([])
  })
})
