import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/index'
import { addAudioAsset } from './audio-assets'
import { addAudioClip, audioClipEnd } from './audio-clips'
import { clientWriteRefusal } from './client-writes'
import { createSongDoc } from './migrate'
import { RemoteOrigin, UserOrigin } from './origins'
import { readSong, readTrack } from './read'
import type { AudioAsset } from './schema'
import { chooseTake, listTakes } from './takes'
import { expectRefused } from './testing/harness'
import { addTrack } from './tracks'
import { createUndo } from './undo'

const alice = new UserOrigin('alice')
const bob = new UserOrigin('bob')
const BAR = PPQ * 4
const hash = (c: string) => c.repeat(64)
const asset = (c: string): AudioAsset => ({
  hash: hash(c),
  name: `take ${c}`,
  format: 'wav',
  sampleRate: 48_000,
  channels: 1,
  frames: 384_000,
  durationSeconds: 8,
})
const recording = {
  kind: 'recording',
  recordedAt: '2026-12-07T14:00:00Z',
  input: 'Mic',
  latencyMs: 0,
} as const

/** Three passes of 8 s (4 bars at 120 bpm) over bars 1-5, as a loop recording makes them. */
const setup = () => {
  const doc = createSongDoc({ bpm: 120 })
  const trackId = addTrack(doc, alice, { kind: 'audio', name: 'Vocals' })
  for (const c of ['a', 'b', 'c']) addAudioAsset(doc, alice, asset(c))
  const first = addAudioClip(doc, alice, trackId, { asset: hash('a'), start: BAR, provenance: recording })
  const group = first.takeGroupId
  const second = addAudioClip(doc, alice, trackId, {
    asset: hash('b'),
    start: BAR,
    provenance: recording,
    takeGroupId: group,
  })
  const third = addAudioClip(doc, alice, trackId, {
    asset: hash('c'),
    start: BAR,
    provenance: recording,
    takeGroupId: group,
  })
  return { doc, trackId, group, takes: [first, second, third] }
}

/** Which asset plays at `tick`, and from which second of it; null when nothing does. */
const heardAt = (doc: Y.Doc, trackId: string, tick: number) => {
  const bpm = readSong(doc).meta.bpm
  const playing = readTrack(doc, trackId)!.audioClips.filter(
    (c) => c.active && c.start <= tick && tick < audioClipEnd(c, bpm),
  )
  expect(playing.length).toBeLessThanOrEqual(1)
  const clip = playing[0]
  return clip === undefined
    ? null
    : { asset: clip.asset[0], second: clip.offset + ((tick - clip.start) * 60) / (bpm * PPQ) }
}

describe('take groups', () => {
  it('stacks passes as takes 0, 1, 2; the latest plays', () => {
    const { doc, trackId, group, takes } = setup()
    expect(takes.map((t) => [t.takeGroupId, t.takeIndex])).toEqual([
      [group, 0],
      [group, 1],
      [group, 2],
    ])
    expect(listTakes(readTrack(doc, trackId)!.audioClips, group).map((t) => t.playing)).toEqual([
      false,
      false,
      true,
    ])
    expect(heardAt(doc, trackId, 2 * BAR)).toEqual({ asset: 'c', second: 2 })
  })

  it('chooses a take for the whole group', () => {
    const { doc, trackId, group } = setup()
    chooseTake(doc, alice, trackId, group, 0)
    expect(heardAt(doc, trackId, 2 * BAR)).toEqual({ asset: 'a', second: 2 })
    expect(heardAt(doc, trackId, 4 * BAR + 1)?.asset).toBe('a')
  })

  it('comps: a take chosen over a region plays there, the others where they did', () => {
    const { doc, trackId, group } = setup()
    chooseTake(doc, alice, trackId, group, 0)
    chooseTake(doc, alice, trackId, group, 1, { start: 2 * BAR, end: 3 * BAR })
    expect(heardAt(doc, trackId, 2 * BAR - 1)?.asset).toBe('a')
    expect(heardAt(doc, trackId, 2 * BAR)).toEqual({ asset: 'b', second: 2 })
    expect(heardAt(doc, trackId, 3 * BAR - 1)?.asset).toBe('b')
    expect(heardAt(doc, trackId, 3 * BAR)).toEqual({ asset: 'a', second: 4 })
    const takes = listTakes(readTrack(doc, trackId)!.audioClips, group)
    expect(takes.map((t) => t.playing)).toEqual([true, true, false])
    // Choosing one take for the whole group again undoes the comp's effect (the cut clips stay cut).
    chooseTake(doc, alice, trackId, group, 2)
    for (const tick of [BAR, 2 * BAR, 3 * BAR, 4 * BAR]) expect(heardAt(doc, trackId, tick)?.asset).toBe('c')
  })

  it('a punch-in pass replaces the earlier takes only over its own span', () => {
    const { doc, trackId, group } = setup()
    chooseTake(doc, alice, trackId, group, 0)
    addAudioAsset(doc, alice, { ...asset('d'), frames: 48_000, durationSeconds: 1 })
    const punch = addAudioClip(doc, alice, trackId, {
      asset: hash('d'),
      start: 3 * BAR,
      provenance: recording,
      takeGroupId: group,
    })
    expect(punch.takeIndex).toBe(3)
    expect(heardAt(doc, trackId, 3 * BAR - 1)?.asset).toBe('a')
    expect(heardAt(doc, trackId, 3 * BAR)).toEqual({ asset: 'd', second: 0 })
    expect(heardAt(doc, trackId, 3 * BAR + PPQ * 2)).toEqual({ asset: 'a', second: 5 })
  })

  it('a recorded pass silences the earlier takes over what it was recorded over, not only where its audio lies', () => {
    const { doc, trackId, group } = setup()
    chooseTake(doc, alice, trackId, group, 0)
    addAudioAsset(doc, alice, { ...asset('d'), frames: 48_000, durationSeconds: 1 })
    // A punch over bar 4 whose audio starts 10 ticks late and ends half a bar short.
    addAudioClip(doc, alice, trackId, {
      asset: hash('d'),
      start: 3 * BAR + 10,
      provenance: recording,
      takeGroupId: group,
      recordedOver: { start: 3 * BAR, end: 4 * BAR },
    })
    expect(heardAt(doc, trackId, 3 * BAR - 1)?.asset).toBe('a')
    expect(heardAt(doc, trackId, 3 * BAR)).toBeNull()
    expect(heardAt(doc, trackId, 3 * BAR + 10)).toEqual({ asset: 'd', second: 0 })
    expect(heardAt(doc, trackId, 4 * BAR - 1)).toBeNull()
    expect(heardAt(doc, trackId, 4 * BAR)).toEqual({ asset: 'a', second: 6 })
    // A pass stopped by hand (no end) silences the earlier takes from its start on.
    addAudioAsset(doc, alice, { ...asset('e'), frames: 48_000, durationSeconds: 1 })
    addAudioClip(doc, alice, trackId, {
      asset: hash('e'),
      start: 2 * BAR,
      provenance: recording,
      takeGroupId: group,
      recordedOver: { start: 2 * BAR },
    })
    expect(heardAt(doc, trackId, 2 * BAR - 1)?.asset).toBe('a')
    expect(heardAt(doc, trackId, 2 * BAR)?.asset).toBe('e')
    for (const tick of [2 * BAR + PPQ * 2, 3 * BAR + 10, 4 * BAR, 5 * BAR - 1])
      expect(heardAt(doc, trackId, tick)).toBeNull()
    // Takes, not clips: the cuts made pieces of take 0, still one take.
    expect(listTakes(readTrack(doc, trackId)!.audioClips, group).map((t) => t.takeIndex)).toEqual([
      0, 1, 2, 3, 4,
    ])
    expect(() =>
      addAudioClip(doc, alice, trackId, {
        asset: hash('e'),
        start: 0,
        provenance: recording,
        recordedOver: { start: BAR, end: BAR },
      }),
    ).toThrow(/recordedOver end must be after its start/)
  })

  it('refuses unknown groups and takes', () => {
    const { doc, trackId, group } = setup()
    expectRefused(doc, 'take_not_found', () => chooseTake(doc, alice, trackId, 'nope', 0))
    expectRefused(doc, 'take_not_found', () => chooseTake(doc, alice, trackId, group, 7))
    expectRefused(doc, 'invalid_value', () =>
      chooseTake(doc, alice, trackId, group, 0, { start: BAR, end: BAR }),
    )
    expectRefused(doc, 'invalid_value', () => chooseTake(doc, alice, trackId, group, -1))
  })

  it('a take choice is one undo step of its user', () => {
    const { doc, trackId, group } = setup()
    const undo = createUndo(doc, bob)
    chooseTake(doc, bob, trackId, group, 0, { start: 2 * BAR, end: 3 * BAR })
    expect(heardAt(doc, trackId, 2 * BAR)?.asset).toBe('a')
    undo.undo()
    expect(readTrack(doc, trackId)!.audioClips).toHaveLength(3)
    expect(heardAt(doc, trackId, 2 * BAR)?.asset).toBe('c')
  })

  it('concurrent choices of two takes converge with one take playing', () => {
    const { doc: a, trackId, group } = setup()
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a), new RemoteOrigin())
    chooseTake(a, alice, trackId, group, 0)
    chooseTake(b, bob, trackId, group, 1)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), new RemoteOrigin())
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), new RemoteOrigin())
    expect(JSON.stringify(readSong(a))).toBe(JSON.stringify(readSong(b)))
    const playing = readTrack(a, trackId)!.audioClips.filter((c) => c.active)
    expect(playing).toHaveLength(1)
  })

  it("an editor's audio clips, takes and asset records pass the server's write rules", () => {
    const server = createSongDoc({ bpm: 120 })
    const trackId = addTrack(server, alice, { kind: 'audio' })
    const client = new Y.Doc()
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server), new RemoteOrigin())
    const updates: Uint8Array[] = []
    client.on('update', (u: Uint8Array) => updates.push(u))
    const first = addAudioClip(client, alice, trackId, {
      asset: hash('a'),
      start: 0,
      provenance: recording,
      assetRecord: asset('a'),
    })
    addAudioClip(client, alice, trackId, {
      asset: hash('a'),
      start: 0,
      provenance: recording,
      takeGroupId: first.takeGroupId,
    })
    chooseTake(client, alice, trackId, first.takeGroupId, 0, { start: BAR, end: 2 * BAR })
    for (const update of updates) {
      expect(clientWriteRefusal(server, update, () => false)).toBeNull()
      Y.applyUpdate(server, update, new RemoteOrigin())
    }
    expect(readTrack(server, trackId)!.audioClips.length).toBeGreaterThan(2)
  })

  it('the server refuses asset records that are invalid or change a stored one', () => {
    const server = createSongDoc()
    addAudioAsset(server, alice, asset('a'))
    const write = (key: string, value: unknown) => {
      const client = new Y.Doc()
      Y.applyUpdate(client, Y.encodeStateAsUpdate(server), new RemoteOrigin())
      const before = Y.encodeStateVector(client)
      client.getMap('assets').set(key, value)
      return clientWriteRefusal(server, Y.encodeStateAsUpdate(client, before), () => false)
    }
    // The same file imported again under another name: the facts agree, so it passes.
    expect(write(hash('a'), { ...asset('a'), name: 'again.wav' })).toBeNull()
    expect(write(hash('b'), asset('b'))).toBeNull()
    expect(write(hash('a'), { ...asset('a'), frames: 1, durationSeconds: 1 / 48_000 })).toBe('asset')
    expect(write(hash('b'), asset('c'))).toBe('asset')
    expect(write(hash('b'), { ...asset('b'), format: 'exe' })).toBe('asset')
    expect(write('nope', 'x')).toBe('asset')
  })
})
