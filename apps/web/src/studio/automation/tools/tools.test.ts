import {
  addAutomationPoints,
  addBus,
  addDevice,
  addTrack,
  createSongDoc,
  PPQ,
  readMixer,
  readTrack,
  setSend,
  UserOrigin,
} from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import { type LaneGeometry, tickToX, valueToY } from '../lane-geometry'
import { formatValue, laneTargets } from '../lane-targets'
import { createLaneDrawTool } from './draw'
import { createLaneSelectTool } from './select'
import type { LanePointer, LanePreview, LaneToolContext } from './tool'

/** A real song doc and a lane tool context over its track's volume lane, the canvas replaced by geometry. */
function harness(options: { readOnly?: boolean; key?: (trackId: string) => string } = {}) {
  const doc = createSongDoc()
  const me = new UserOrigin('tester')
  const trackId = addTrack(doc, me, { kind: 'instrument', name: 'Keys' })
  const geometry: LaneGeometry = { width: 1000, height: 112, pxPerQuarter: 40 }
  const key = options.key?.(trackId) ?? `volume:${trackId}`
  const target = () => laneTargets(readTrack(doc, trackId)!, readMixer(doc)).find((t) => t.key === key)!
  let selection: readonly string[] = []
  const previews: (LanePreview | null)[] = []
  const ctx: LaneToolContext = {
    doc,
    me,
    readOnly: options.readOnly ?? false,
    target,
    points: () => readMixer(doc).automation.find((l) => l.key === key)?.points ?? [],
    geometry: () => geometry,
    snap: (t) => Math.round(t / PPQ) * PPQ,
    selection: () => selection,
    select: (ids) => {
      selection = ids
    },
    setPreview: (p) => previews.push(p),
    run: (write) => write(),
  }
  /** The pointer over `tick` at the height of `value`. */
  const at = (tick: number, value: number, mods: Partial<LanePointer> = {}): LanePointer => ({
    x: tickToX(geometry, tick),
    y: valueToY(geometry, target(), value),
    tick,
    value,
    shift: false,
    alt: false,
    mod: false,
    ...mods,
  })
  return { doc, me, trackId, ctx, at, previews, selection: () => selection, target }
}

const click = (tool: ReturnType<typeof createLaneDrawTool>, ctx: LaneToolContext, p: LanePointer) => {
  tool.down(p, ctx)
  tool.up(p, ctx)
}

describe('automation lane tools', () => {
  it('the pencil places a point on the grid at the value under the pointer; Alt places it off the grid', () => {
    const { ctx, at } = harness()
    const draw = createLaneDrawTool()
    click(draw, ctx, at(PPQ * 2 + 100, -12))
    const [point] = ctx.points()
    expect(point!.tick).toBe(PPQ * 2)
    expect(point!.value).toBeCloseTo(-12, 6)
    expect(point!.curve).toBe('linear')
    click(draw, ctx, at(PPQ * 4 + 100, 0, { alt: true }))
    expect(ctx.points().map((p) => p.tick)).toEqual([PPQ * 2, PPQ * 4 + 100])
  })

  it('the pencil drags a point (snapped, its value following the pointer) and deletes one it clicks', () => {
    const { ctx, at } = harness()
    const draw = createLaneDrawTool()
    click(draw, ctx, at(0, -20))
    click(draw, ctx, at(PPQ * 4, 0))
    draw.down(at(0, -20), ctx)
    draw.move(at(PPQ + 30, -6), ctx)
    expect(ctx.points()[0]!.tick).toBe(0)
    draw.up(at(PPQ + 30, -6), ctx)
    expect(ctx.points()[0]!.tick).toBe(PPQ)
    expect(ctx.points()[0]!.value).toBeCloseTo(-6, 6)
    click(draw, ctx, at(PPQ * 4, 0))
    expect(ctx.points()).toHaveLength(1)
  })

  it('the arrow box-selects points and moves them together; a viewer selects but never writes', () => {
    const { doc, me, trackId, ctx, at, selection } = harness()
    addAutomationPoints(doc, me, { kind: 'volume', owner: trackId }, [
      { tick: 0, value: -30 },
      { tick: PPQ, value: -20 },
      { tick: PPQ * 8, value: 0 },
    ])
    const arrow = createLaneSelectTool()
    arrow.down(at(0, 6, { x: -5, y: 0 }), ctx)
    arrow.move({ ...at(PPQ * 2, -60), y: 112 }, ctx)
    arrow.up({ ...at(PPQ * 2, -60), y: 112 }, ctx)
    expect(selection()).toHaveLength(2)
    arrow.down(at(PPQ, -20), ctx)
    arrow.move(at(PPQ * 3, -20), ctx)
    arrow.up(at(PPQ * 3, -20), ctx)
    expect(ctx.points().map((p) => p.tick)).toEqual([PPQ * 2, PPQ * 3, PPQ * 8])

    const viewer = harness({ readOnly: true })
    click(createLaneDrawTool(), viewer.ctx, viewer.at(PPQ, -6))
    expect(viewer.ctx.points()).toEqual([])
  })

  it('lists every target of a track and prints values in real units', () => {
    const { doc, me, trackId } = harness()
    const bus = addBus(doc, me, { name: 'Verb' })
    setSend(doc, me, { from: trackId, to: bus })
    addDevice(doc, me, trackId, { kind: 'filter' })
    const targets = laneTargets(readTrack(doc, trackId)!, readMixer(doc))
    const labels = targets.map((t) => t.label)
    expect(labels.slice(0, 3)).toEqual(['Volume', 'Pan', 'Send → Verb'])
    expect(labels).toContain('1. Filter: Cutoff')
    expect(labels).not.toContain('1. Filter: Type')
    expect(labels.slice(-2)).toEqual(['Instrument: Level', 'Instrument: Tone'])
    const tone = targets.find((t) => t.label === 'Instrument: Tone')!
    expect(tone.scale).toBe('log')
    expect(formatValue(tone, 2_500)).toBe('2.50 kHz')
    expect(formatValue(targets[0]!, -6)).toBe('-6.00 dB')
    expect(formatValue(targets[1]!, -0.5)).toBe('L50')
  })
})
