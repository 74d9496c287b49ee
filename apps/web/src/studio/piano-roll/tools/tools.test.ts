import { addClip, addNote, addTrack, createSongDoc, PPQ, readClip, UserOrigin } from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import type { RollGeometry } from '../roll-geometry'
import type { RollPreview } from '../roll-preview'
import { createDrawTool } from './draw'
import { createSelectTool } from './select'
import type { RollPointer, ToolContext } from './tool'
import { createVelocityTool } from './velocity'

/** A real song doc and a tool context over it, with the canvas replaced by plain geometry. */
function harness() {
  const doc = createSongDoc()
  const me = new UserOrigin('tester')
  const trackId = addTrack(doc, me, { kind: 'instrument', name: 'Keys' })
  const { clipId } = addClip(doc, me, trackId, { start: 0, length: PPQ * 4 })
  const geometry: RollGeometry = {
    width: 900,
    height: 500,
    pxPerQuarter: 80,
    scrollTick: 0,
    topPitch: 72,
    rowHeight: 14,
  }
  let selection: readonly string[] = []
  const previews: (RollPreview | null)[] = []
  const ctx: ToolContext = {
    doc,
    me,
    trackId,
    clipId,
    readOnly: false,
    clip: () => readClip(doc, trackId, clipId),
    geometry: () => geometry,
    snap: (t) => Math.round(t / PPQ) * PPQ,
    floor: (t) => Math.floor(t / PPQ) * PPQ,
    grid: () => PPQ,
    selection: () => selection,
    select: (ids) => {
      selection = ids
    },
    setPreview: (p) => previews.push(p),
    audition: () => {},
    run: (write) => write(),
  }
  const at = (tick: number, pitch: number, mods: Partial<RollPointer> = {}): RollPointer => ({
    x: 56 + (tick / PPQ) * 80,
    y: 22 + (72 - pitch) * 14 + 7,
    tick,
    pitch,
    shift: false,
    alt: false,
    mod: false,
    ...mods,
  })
  const notes = () => readClip(doc, trackId, clipId)!.notes
  return { doc, me, trackId, clipId, ctx, at, notes, previews, selection: () => selection }
}

describe('draw tool', () => {
  it('places a grid-long note on press and release, longer when dragged', () => {
    const h = harness()
    const draw = createDrawTool()
    draw.down(h.at(PPQ * 1.3, 60), h.ctx)
    expect(draw.state).toBe('drawing')
    draw.up(h.at(PPQ * 1.3, 60), h.ctx)
    expect(draw.state).toBe('idle')
    draw.down(h.at(PPQ * 2.1, 64), h.ctx)
    draw.move(h.at(PPQ * 3.9, 64), h.ctx)
    draw.up(h.at(PPQ * 3.9, 64), h.ctx)
    expect(h.notes().map((n) => [n.pitch, n.start, n.duration])).toEqual([
      [60, PPQ, PPQ],
      [64, PPQ * 2, PPQ * 2],
    ])
  })

  it('deletes a note clicked without dragging, and moves one that is dragged', () => {
    const h = harness()
    const a = addNote(h.doc, h.me, h.trackId, h.clipId, { pitch: 60, start: 0, duration: PPQ })
    addNote(h.doc, h.me, h.trackId, h.clipId, { pitch: 62, start: PPQ * 2, duration: PPQ })
    const draw = createDrawTool()
    draw.down(h.at(PPQ * 0.2, 60), h.ctx)
    draw.up(h.at(PPQ * 0.2, 60), h.ctx)
    expect(h.notes().some((n) => n.id === a)).toBe(false)
    draw.down(h.at(PPQ * 2.2, 62), h.ctx)
    draw.move(h.at(PPQ * 3.2, 65), h.ctx)
    expect(draw.state).toBe('moving')
    draw.up(h.at(PPQ * 3.2, 65), h.ctx)
    expect(h.notes().map((n) => [n.pitch, n.start])).toEqual([[65, PPQ * 3]])
  })
})

describe('select tool', () => {
  it('box-selects, shift-toggles, resizes by the right edge and Alt-drag copies', () => {
    const h = harness()
    const ids = [60, 64, 67].map((pitch, i) =>
      addNote(h.doc, h.me, h.trackId, h.clipId, { pitch, start: i * PPQ, duration: PPQ }),
    )
    const select = createSelectTool()
    select.down(h.at(PPQ * 0.5, 66), h.ctx)
    expect(select.state).toBe('boxing')
    select.move(h.at(PPQ * 3.5, 59), h.ctx)
    select.up(h.at(PPQ * 3.5, 59), h.ctx)
    expect([...h.selection()].sort()).toEqual([ids[0], ids[1]].sort())
    expect(h.previews.at(-1)).toBeNull()

    select.down(h.at(PPQ * 2.3, 67, { shift: true }), h.ctx)
    select.up(h.at(PPQ * 2.3, 67, { shift: true }), h.ctx)
    expect(h.selection()).toHaveLength(3)

    // Grab the first note's right edge: every selected note grows by the same amount.
    select.down(h.at(PPQ * 0.98, 60), h.ctx)
    expect(select.state).toBe('resizing')
    select.move(h.at(PPQ * 2, 60), h.ctx)
    select.up(h.at(PPQ * 2, 60), h.ctx)
    expect(h.notes().map((n) => n.duration)).toEqual([PPQ * 2, PPQ * 2, PPQ * 2])

    select.down(h.at(PPQ * 0.3, 60), h.ctx)
    select.move(h.at(PPQ * 0.3, 72, { alt: true }), h.ctx)
    select.up(h.at(PPQ * 0.3, 72, { alt: true }), h.ctx)
    expect(h.notes()).toHaveLength(6)
    expect(h.notes().filter((n) => n.pitch >= 72)).toHaveLength(3)
  })
})

describe('velocity tool', () => {
  it('paints the stems it crosses in one update', () => {
    const h = harness()
    addNote(h.doc, h.me, h.trackId, h.clipId, { pitch: 60, start: 0, duration: PPQ, velocity: 100 })
    addNote(h.doc, h.me, h.trackId, h.clipId, { pitch: 62, start: PPQ, duration: PPQ, velocity: 100 })
    const velocity = createVelocityTool()
    const laneY = 500 - 6 - (64 / 127) * (76 - 14)
    velocity.down({ ...h.at(0, 0), x: 56, y: laneY }, h.ctx)
    velocity.move({ ...h.at(PPQ, 0), x: 56 + 80, y: laneY }, h.ctx)
    velocity.up({ ...h.at(PPQ, 0), x: 56 + 80, y: laneY }, h.ctx)
    expect(h.notes().map((n) => n.velocity)).toEqual([64, 64])
  })
})
