import { addProposal, addTrack, createSongDoc, PPQ, readProposals, UserOrigin } from '@ensemble/core'
import { describe, expect, it, vi } from 'vitest'
import { offscreenGhosts, scrollToShow } from './ghost-scroll'
import { auditionParts } from './proposal-audition'
import { miniNotes, previewLanes } from './tracks-preview'

const BAR = PPQ * 4
const run = {
  pluginId: 'studio.ensemble.arranger',
  pluginVersion: '1.0.0',
  modelHash: 'sha256:0123456789abcdef',
  seed: 7,
  requestedBy: 'alice',
  runId: 'r1',
}
const note = (pitch: number, start: number, duration = PPQ) => ({ pitch, start, duration, velocity: 90 })

function song() {
  const doc = createSongDoc()
  const me = new UserOrigin('bob')
  const melody = addTrack(doc, me, { kind: 'instrument', name: 'Melody' })
  const other = addTrack(doc, me, { kind: 'instrument', name: 'Keys' })
  const common = {
    fromTick: BAR,
    toTick: BAR * 3,
    pluginId: run.pluginId,
    pluginName: 'Arranger',
    pluginVersion: run.pluginVersion,
    requestedByName: 'Alice',
  }
  const arrange = () =>
    addProposal(doc, run, {
      ...common,
      trackId: melody,
      kind: 'tracks',
      variations: [
        {
          label: 'Band',
          tracks: [
            {
              name: 'Bass',
              kind: 'instrument',
              instrument: 'bass-fingered',
              notes: [note(36, 0), note(43, PPQ)],
            },
            { name: 'Drums', kind: 'drums', instrument: null, notes: [note(36, 0), note(38, PPQ)] },
          ],
        },
        {
          label: 'Strings',
          tracks: [{ name: 'Pad', kind: 'instrument', instrument: 'pad', notes: [note(60, 0, BAR)] }],
        },
      ],
    })
  const harmonize = () =>
    addProposal(doc, run, {
      ...common,
      trackId: other,
      kind: 'notes',
      variations: [{ label: 'Thirds', notes: [note(64, 0)] }],
    })
  return { doc, melody, other, arrange, harmonize }
}

describe('bringing ghost notes into view', () => {
  const view = { topPitch: 80, rows: 20 } // pitches 61..80 in view

  it('counts the ghost notes above and below the rows in view', () => {
    expect(offscreenGhosts([61, 80, 70], view)).toEqual({ above: 0, below: 0 })
    expect(offscreenGhosts([81, 60, 52, 70], view)).toEqual({ above: 1, below: 2 })
  })

  it('leaves the view alone when every ghost note is in it', () => {
    expect(scrollToShow([61, 72, 80], view)).toBeNull()
    expect(scrollToShow([], view)).toBeNull()
  })

  it('centres a harmony below the view, and shows the top of one taller than the view', () => {
    const top = scrollToShow([48, 52, 55], view)
    expect(top).toBe(52 + 10)
    expect(offscreenGhosts([48, 52, 55], { ...view, topPitch: top! })).toEqual({ above: 0, below: 0 })
    expect(scrollToShow([30, 70], view)).toBe(71)
  })

  it('asked for the lower notes of a tall range (the "below" hint), shows its bottom', () => {
    const tall = [30, 45, 70]
    const shown = { ...view, topPitch: scrollToShow(tall, view)! }
    expect(offscreenGhosts(tall, shown)).toEqual({ above: 0, below: 2 })
    const down = scrollToShow(tall, shown, 'below')
    expect(down).toBe(30 + 20 - 2)
    expect(offscreenGhosts(tall, { ...view, topPitch: down! })).toEqual({ above: 1, below: 0 })
  })

  it('never scrolls past the top or bottom of the keyboard', () => {
    expect(scrollToShow([127, 126], view)).toBe(127)
    expect(scrollToShow([0, 1], view)).toBe(19)
  })
})

describe('ghost lanes of an arranger proposal', () => {
  it('has a lane per proposed track of the shown variation, with the instrument it would play', () => {
    const { doc, melody, other, arrange, harmonize } = song()
    const id = arrange()
    harmonize()
    const lanes = previewLanes(readProposals(doc), [melody, other], null)
    expect(lanes.map((l) => [l.name, l.kind, l.preset, l.targetTrackId])).toEqual([
      ['Bass', 'instrument', 'bass', melody],
      ['Drums', 'drums', 'drum-kit', melody],
    ])
    expect(lanes[0]).toMatchObject({ proposalId: id, fromTick: BAR, toTick: BAR * 3, requestedBy: 'alice' })
    expect(lanes[0]?.label).toBe('Alice asked Arranger · 1/2')
    const second = previewLanes(readProposals(doc), [melody, other], { proposalId: id, variation: 1 })
    expect(second.map((l) => [l.name, l.preset, l.notes.length])).toEqual([['Pad', 'pad', 1]])
  })

  it('has none for notes proposals', () => {
    const { doc, melody, other, harmonize } = song()
    harmonize()
    expect(previewLanes(readProposals(doc), [melody, other], null)).toEqual([])
  })

  it('draws the notes small: time across at the zoom, the lane’s highest pitch on top', () => {
    const bars = miniNotes([note(43, PPQ), note(36, 0), note(50, PPQ * 2, PPQ * 2)], PPQ, 20, 40)
    expect(bars.map((b) => b.x)).toEqual([20, 0, 40])
    expect(bars[2]?.width).toBe(39)
    expect(bars[2]?.y).toBe(0)
    expect(bars[1]!.y + bars[1]!.height).toBeCloseTo(40)
    expect(bars[0]!.y).toBeGreaterThan(0)
    expect(bars[0]!.y).toBeLessThan(bars[1]!.y)
    // One repeated pitch sits in the middle, not on an edge.
    const single = miniNotes([note(60, 0), note(60, PPQ)], PPQ, 20, 40)
    expect(single[0]!.y).toBeCloseTo((40 - single[0]!.height) / 2)
    expect(miniNotes([], PPQ, 20, 40)).toEqual([])
  })

  it('auditions all proposed tracks together, each on its own voice, and silences them on stop', () => {
    vi.useFakeTimers()
    const events: string[] = []
    const sink = {
      noteOn: (voice: string, pitch: number) => events.push(`on ${voice} ${pitch}`),
      noteOff: (voice: string, pitch: number) => events.push(`off ${voice} ${pitch}`),
    }
    let ended = false
    const stop = auditionParts(
      sink,
      [
        { voice: 'bass', notes: [note(36, 0, PPQ * 4)] },
        { voice: 'drum-kit', notes: [note(36, 0), note(38, PPQ)] },
      ],
      120,
      () => {
        ended = true
      },
    )
    vi.advanceTimersByTime(1)
    expect(events.sort()).toEqual(['on bass 36', 'on drum-kit 36'])
    vi.advanceTimersByTime(600) // a beat at 120 bpm is 500 ms
    expect(events).toContain('on drum-kit 38')
    stop()
    expect(events.slice(-2).sort()).toEqual(['off bass 36', 'off drum-kit 38'])
    vi.advanceTimersByTime(10_000)
    expect(ended).toBe(false)
    vi.useRealTimers()
  })
})
