import { addTrack, createSongDoc, PPQ, readClip, readTrack, UserOrigin } from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import type { JamNote } from '../../wire/jam'
import { JamTake } from './jam-take'

const BAR = PPQ * 4
const ada = { id: 'ada', name: 'Ada' }
const bob = { id: 'bob', name: 'Bob' }
const note = (player: typeof ada, trackId: string, on: boolean, pitch: number, tick: number): JamNote => ({
  on,
  pitch,
  velocity: on ? 90 : 0,
  trackId,
  tick,
  at: 0,
  player,
})

describe('JamTake', () => {
  it("writes each player's notes on their own track, where they played them, as a take played live by them", () => {
    const doc = createSongDoc()
    const me = new UserOrigin('ada')
    const keys = addTrack(doc, me, { kind: 'instrument', name: 'Keys' })
    const bass = addTrack(doc, me, { kind: 'instrument', name: 'Bass' })
    const take = new JamTake(BAR)
    take.add(note(ada, keys, true, 60, BAR * 2 + 10))
    take.add(note(bob, bass, true, 36, BAR * 2 + PPQ))
    take.add(note(ada, keys, false, 60, BAR * 2 + PPQ))
    take.add(note(bob, bass, false, 36, BAR * 3 + PPQ))
    // Held when the recording stops: ends there.
    take.add(note(ada, keys, true, 64, BAR * 3))
    const written = take.finish(doc, me, BAR * 3 + PPQ * 2)
    expect(written.map((w) => w.player.id).sort()).toEqual(['ada', 'bob'])
    const adaClip = written.find((w) => w.player.id === 'ada')!
    const clip = readClip(doc, keys, adaClip.clipId)!
    expect(clip).toMatchObject({
      start: BAR * 2,
      length: BAR * 2,
      name: 'Played live by Ada',
      liveTake: { playedBy: 'ada', playerName: 'Ada' },
    })
    expect(clip.notes.map((n) => [n.pitch, n.start, n.duration])).toEqual([
      [60, 10, PPQ - 10],
      [64, BAR, PPQ * 2],
    ])
    const bobClip = readClip(doc, bass, written.find((w) => w.player.id === 'bob')!.clipId)!
    expect(bobClip.liveTake?.playedBy).toBe('bob')
    expect(bobClip.notes[0]).toMatchObject({ pitch: 36, start: PPQ, duration: BAR })
    expect(readTrack(doc, keys)?.clips).toHaveLength(1)
  })

  it('skips a track deleted meanwhile and writes nothing for an empty take', () => {
    const doc = createSongDoc()
    const me = new UserOrigin('ada')
    const take = new JamTake(BAR)
    take.add(note(ada, 'gone', true, 60, 0))
    expect(take.finish(doc, me, BAR)).toEqual([])
    expect(new JamTake(BAR).finish(doc, me, BAR)).toEqual([])
  })
})
