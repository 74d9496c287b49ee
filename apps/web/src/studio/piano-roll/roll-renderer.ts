import { type ClipSnapshot, type Note, PPQ, pitchName } from '@ensemble/core'
import type { GhostLayer } from '../ai/ghost-notes'
import type { RemoteView } from '../presence/remote-views'
import {
  gridBottom,
  KEYS_WIDTH,
  type RollGeometry,
  RULER_HEIGHT,
  VELOCITY_HEIGHT,
  velocityTop,
  xOf,
  yOf,
} from './roll-geometry'
import type { RollPreview } from './roll-preview'

export interface RollScene {
  readonly geometry: RollGeometry
  readonly clip: ClipSnapshot
  readonly colour: string
  readonly selected: ReadonlySet<string>
  readonly preview: RollPreview | null
  /** Pitch classes (0-11) of the song's key, for the scale overlay. */
  readonly scale: ReadonlySet<number>
  readonly tonic: number
  readonly barTicks: number
  readonly grid: number
  /** Playhead in ticks from the clip start; null when outside or stopped at 0. */
  readonly playhead: number | null
  readonly remote: readonly RemoteView[]
  /** Row names for a drum track (GM map); null for melodic tracks. */
  readonly rowNames: ((pitch: number) => string | null) | null
  /** An AI proposal's notes, drawn translucent in the requester's colour; null when none is open here. */
  readonly proposal: GhostLayer | null
}

const BLACK = new Set([1, 3, 6, 8, 10])

interface StartIndex {
  /** Positions into the notes array, ordered by note start. */
  readonly byStart: Int32Array
  readonly starts: Float64Array
  readonly longest: number
}

// Snapshots are immutable, so an index built for one notes array holds for as long as that array lives.
const startIndexes = new WeakMap<readonly Note[], StartIndex>()

function startIndex(notes: readonly Note[]): StartIndex {
  const known = startIndexes.get(notes)
  if (known) return known
  const byStart = Int32Array.from(notes.keys()).sort((a, b) => notes[a]!.start - notes[b]!.start)
  const starts = Float64Array.from(byStart, (i) => notes[i]!.start)
  let longest = 0
  for (const n of notes) longest = Math.max(longest, n.duration)
  const index = { byStart, starts, longest }
  startIndexes.set(notes, index)
  return index
}

/**
 * The notes that can show between two ticks, in their drawing order (the array's: later notes on top, as
 * hitNote assumes). A binary search on the start index instead of a pass over every note: with 10,000
 * notes only the few hundred on screen are touched.
 */
export function notesBetween(notes: readonly Note[], fromTick: number, toTick: number): readonly Note[] {
  if (notes.length < 64) return notes
  const { byStart, starts, longest } = startIndex(notes)
  const first = lowerBound(starts, fromTick - longest)
  const last = lowerBound(starts, toTick)
  const picked: number[] = []
  for (let k = first; k < last; k++) {
    const i = byStart[k]!
    if (starts[k]! + notes[i]!.duration >= fromTick) picked.push(i)
  }
  picked.sort((a, b) => a - b)
  return picked.map((i) => notes[i]!)
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Note fills come in this many opacity steps (by velocity), so each step is one batched path. */
const ALPHA_STEPS = 8

/** Notes as they would be after the preview's edit, so the canvas shows the drag before it is written. */
function previewNotes(
  notes: readonly Note[],
  preview: RollPreview | null,
): { notes: readonly Note[]; ghosts: readonly Note[] } {
  // No copy when nothing previews: the snapshot's own array keeps its cached visibility index.
  if (!preview || preview.kind === 'box') return { notes, ghosts: [] }
  if (preview.kind === 'draw') {
    const ghost = {
      id: '__draw',
      pitch: preview.pitch,
      start: preview.start,
      duration: preview.duration,
      velocity: 100,
    }
    return { notes: [...notes, ghost], ghosts: [] }
  }
  if (preview.kind === 'velocity') {
    return {
      notes: notes.map((n) => ({ ...n, velocity: preview.values.get(n.id) ?? n.velocity })),
      ghosts: [],
    }
  }
  const ids = new Set(preview.noteIds)
  if (preview.kind === 'resize') {
    return {
      notes: notes.map((n) => (ids.has(n.id) ? { ...n, duration: n.duration + preview.deltaDuration } : n)),
      ghosts: [],
    }
  }
  const moved = notes
    .filter((n) => ids.has(n.id))
    .map((n) => ({ ...n, start: n.start + preview.deltaTicks, pitch: n.pitch + preview.deltaPitch }))
  if (preview.copy) return { notes: [...notes, ...moved], ghosts: [] }
  return {
    notes: [...notes.filter((n) => !ids.has(n.id)), ...moved],
    ghosts: notes.filter((n) => ids.has(n.id)),
  }
}

/** A four-pointed star: the mark of an AI-made note. */
function drawSparkle(c: CanvasRenderingContext2D, cx: number, cy: number, r: number, colour: string): void {
  const q = r * 0.3
  c.fillStyle = colour
  c.beginPath()
  c.moveTo(cx, cy - r)
  c.lineTo(cx + q, cy - q)
  c.lineTo(cx + r, cy)
  c.lineTo(cx + q, cy + q)
  c.lineTo(cx, cy + r)
  c.lineTo(cx - q, cy + q)
  c.lineTo(cx - r, cy)
  c.lineTo(cx - q, cy - q)
  c.closePath()
  c.fill()
}

/** Ghost notes of a proposal: translucent fill, dashed outline, and who asked beside the first note. */
function drawProposal(c: CanvasRenderingContext2D, g: RollGeometry, layer: GhostLayer): void {
  const { rowHeight } = g
  c.save()
  c.strokeStyle = layer.colour
  c.fillStyle = layer.colour
  c.setLineDash([4, 3])
  for (const n of layer.notes) {
    const x = xOf(g, n.start)
    const w = Math.max(3, (n.duration / PPQ) * g.pxPerQuarter - 1)
    const y = yOf(g, n.pitch)
    c.globalAlpha = 0.28
    c.fillRect(x, y + 1, w, rowHeight - 2)
    c.globalAlpha = 0.95
    c.strokeRect(x + 0.5, y + 1.5, w - 1, rowHeight - 3)
  }
  c.setLineDash([])
  const first = [...layer.notes].sort((a, b) => a.start - b.start || b.pitch - a.pitch)[0]
  if (first) {
    c.globalAlpha = 1
    c.font = '11px ui-sans-serif, system-ui'
    const text = `✦ ${layer.label}`
    const lw = c.measureText(text).width + 8
    const x = Math.max(KEYS_WIDTH + 2, xOf(g, first.start))
    const y = Math.max(RULER_HEIGHT + 2, yOf(g, first.pitch) - 18)
    c.fillStyle = layer.colour
    c.fillRect(x, y, lw, 16)
    c.fillStyle = '#0b0d10'
    c.fillText(text, x + 4, y + 12)
  }
  c.restore()
}

/** Draws the whole piano roll in one pass. Called from requestAnimationFrame when something changed. */
export function drawRoll(c: CanvasRenderingContext2D, scene: RollScene): void {
  const g = scene.geometry
  const { width, height, rowHeight } = g
  const bottom = gridBottom(g)
  c.clearRect(0, 0, width, height)
  c.fillStyle = '#15171d'
  c.fillRect(0, 0, width, height)

  // Pitch rows: black keys darker, out-of-key rows dimmer still; the tonic row gets a faint accent.
  const lowPitch = Math.max(0, g.topPitch - Math.ceil((bottom - RULER_HEIGHT) / rowHeight))
  for (let p = g.topPitch; p >= lowPitch; p--) {
    const y = yOf(g, p)
    const pc = p % 12
    const inKey = scene.scale.has(pc)
    c.fillStyle = scene.rowNames
      ? p % 2
        ? '#1b1e25'
        : '#1f232b'
      : !inKey
        ? '#14161b'
        : BLACK.has(pc)
          ? '#1b1e25'
          : '#21252e'
    c.fillRect(KEYS_WIDTH, y, width - KEYS_WIDTH, rowHeight)
    if (!scene.rowNames && pc === scene.tonic) {
      c.fillStyle = 'rgba(110, 231, 183, 0.06)'
      c.fillRect(KEYS_WIDTH, y, width - KEYS_WIDTH, rowHeight)
    }
    c.fillStyle = pc === 11 || pc === 4 ? '#2a2f3a' : '#1a1d24'
    c.fillRect(KEYS_WIDTH, y + rowHeight - 1, width - KEYS_WIDTH, 1)
  }

  // Vertical grid: grid steps faint, beats stronger, bars strongest; the clip end shaded.
  const startTick = Math.max(0, Math.floor(g.scrollTick / scene.grid) * scene.grid)
  const endTick = g.scrollTick + ((width - KEYS_WIDTH) / g.pxPerQuarter) * PPQ
  const step = scene.grid * Math.max(1, Math.ceil(6 / ((scene.grid / PPQ) * g.pxPerQuarter)))
  for (let t = startTick; t <= endTick; t += step) {
    const x = Math.round(xOf(g, t)) + 0.5
    c.fillStyle = t % scene.barTicks === 0 ? '#3a4150' : t % PPQ === 0 ? '#2a2f3a' : '#20242c'
    c.fillRect(x, RULER_HEIGHT, 1, bottom - RULER_HEIGHT)
  }
  const clipEnd = xOf(g, scene.clip.length)
  if (clipEnd < width) {
    c.fillStyle = 'rgba(0, 0, 0, 0.45)'
    c.fillRect(Math.max(KEYS_WIDTH, clipEnd), RULER_HEIGHT, width, bottom - RULER_HEIGHT)
  }
  if (scene.clip.loopLength !== null) {
    c.fillStyle = 'rgba(255,255,255,0.25)'
    for (let t = scene.clip.loopLength; t < scene.clip.length; t += scene.clip.loopLength) {
      c.fillRect(Math.round(xOf(g, t)), RULER_HEIGHT, 1, bottom - RULER_HEIGHT)
    }
  }

  // Notes, with ghosts where a moved note came from.
  const { notes, ghosts } = previewNotes(scene.clip.notes, scene.preview)
  c.save()
  c.beginPath()
  c.rect(KEYS_WIDTH, RULER_HEIGHT, width - KEYS_WIDTH, bottom - RULER_HEIGHT)
  c.clip()
  c.strokeStyle = scene.colour
  c.setLineDash([3, 3])
  for (const n of ghosts)
    c.strokeRect(
      xOf(g, n.start) + 0.5,
      yOf(g, n.pitch) + 1.5,
      (n.duration / PPQ) * g.pxPerQuarter - 1,
      rowHeight - 3,
    )
  c.setLineDash([])
  const remoteSel = new Map<string, string>()
  for (const r of scene.remote)
    if (r.editorClipId === scene.clip.id) for (const id of r.noteIds) remoteSel.set(id, r.colour)
  // Only the notes on screen, drawn as one path per fill (colour and velocity step) instead of a state
  // change and a fill per note: with thousands of notes in view that is what keeps a frame short.
  const visible = notesBetween(notes, g.scrollTick - PPQ, endTick)
  const fills: Path2D[] = Array.from({ length: 2 * ALPHA_STEPS }, () => new Path2D())
  const caps = new Path2D()
  const marked: { x: number; y: number; w: number; colour: string }[] = []
  const labelled: { x: number; y: number; pitch: number; selected: boolean; ai: boolean; named: boolean }[] =
    []
  for (const n of visible) {
    const x = xOf(g, n.start)
    const w = Math.max(3, (n.duration / PPQ) * g.pxPerQuarter - 1)
    if (x > width || x + w < KEYS_WIDTH) continue
    const y = yOf(g, n.pitch)
    if (y > bottom || y + rowHeight < RULER_HEIGHT) continue
    const selected = scene.selected.has(n.id) || n.id === '__draw'
    const step = Math.min(ALPHA_STEPS - 1, Math.floor((n.velocity / 128) * ALPHA_STEPS))
    fills[(selected ? ALPHA_STEPS : 0) + step]!.rect(x, y + 1, w, rowHeight - 2)
    caps.rect(x + w - 2, y + 1, 2, rowHeight - 2)
    const mark = remoteSel.get(n.id)
    if (mark) marked.push({ x, y, w, colour: mark })
    const ai = n.provenance !== undefined
    const named = scene.rowNames === null && w > 28 && rowHeight >= 11
    if (ai || named) labelled.push({ x, y, pitch: n.pitch, selected, ai, named })
  }
  fills.forEach((path, i) => {
    const step = i % ALPHA_STEPS
    c.globalAlpha = 0.55 + ((step + 0.5) / ALPHA_STEPS) * 0.45
    c.fillStyle = i >= ALPHA_STEPS ? '#f5f7fa' : scene.colour
    c.fill(path)
  })
  c.globalAlpha = 1
  c.fillStyle = 'rgba(0,0,0,0.35)'
  c.fill(caps)
  c.lineWidth = 2
  for (const { x, y, w, colour } of marked) {
    c.strokeStyle = colour
    c.strokeRect(x - 1, y, w + 2, rowHeight)
  }
  c.lineWidth = 1
  c.font = '9px ui-sans-serif, system-ui'
  for (const { x, y, pitch, selected, ai, named } of labelled) {
    // A plugin wrote this note: a small sparkle at its start, so AI-made notes read apart from played ones.
    if (ai)
      drawSparkle(c, x + 5, y + rowHeight / 2, Math.min(4, rowHeight / 2 - 1), selected ? '#111' : '#fff')
    if (!named) continue
    c.fillStyle = selected ? '#111' : 'rgba(0,0,0,0.7)'
    c.fillText(pitchName(pitch), x + (ai ? 11 : 3), y + rowHeight - 3)
  }
  if (scene.proposal) drawProposal(c, g, scene.proposal)
  // Collaborators' pointers in this clip, in their colour with their name.
  for (const r of scene.remote) {
    if (r.editorClipId !== scene.clip.id || !r.editorCursor) continue
    const x = xOf(g, r.editorCursor.tick)
    const y = yOf(g, r.editorCursor.pitch)
    c.fillStyle = r.colour
    c.beginPath()
    c.moveTo(x, y)
    c.lineTo(x + 10, y + 4)
    c.lineTo(x + 4, y + 10)
    c.closePath()
    c.fill()
    c.font = '11px ui-sans-serif, system-ui'
    const label = r.name
    const lw = c.measureText(label).width + 8
    c.fillRect(x + 10, y + 10, lw, 16)
    c.fillStyle = '#0b0d10'
    c.fillText(label, x + 14, y + 22)
  }
  if (scene.preview?.kind === 'box') {
    const b = scene.preview
    c.fillStyle = 'rgba(110, 231, 183, 0.12)'
    c.strokeStyle = 'rgba(110, 231, 183, 0.8)'
    c.fillRect(Math.min(b.x0, b.x1), Math.min(b.y0, b.y1), Math.abs(b.x1 - b.x0), Math.abs(b.y1 - b.y0))
    c.strokeRect(
      Math.min(b.x0, b.x1) + 0.5,
      Math.min(b.y0, b.y1) + 0.5,
      Math.abs(b.x1 - b.x0),
      Math.abs(b.y1 - b.y0),
    )
  }
  c.restore()

  // Keyboard (or drum names) on the left.
  for (let p = g.topPitch; p >= lowPitch; p--) {
    const y = yOf(g, p)
    if (y > bottom) break
    const pc = p % 12
    const name = scene.rowNames?.(p) ?? null
    c.fillStyle = scene.rowNames ? '#262a34' : BLACK.has(pc) ? '#1a1c22' : '#d9dde5'
    c.fillRect(0, y, KEYS_WIDTH - 1, rowHeight - 1)
    if (!scene.rowNames && scene.scale.has(pc)) {
      c.fillStyle = scene.colour
      c.fillRect(KEYS_WIDTH - 5, y + 1, 3, rowHeight - 3)
    }
    if (name || pc === 0) {
      c.fillStyle = scene.rowNames ? '#c9ceda' : '#333'
      c.font = '9px ui-sans-serif, system-ui'
      c.fillText(name ? name.slice(0, 10) : `C${Math.floor(p / 12) - 1}`, 4, y + rowHeight - 3)
    }
  }

  // Ruler.
  c.fillStyle = '#1c1f26'
  c.fillRect(0, 0, width, RULER_HEIGHT)
  c.fillStyle = '#9aa3b5'
  c.font = '11px ui-sans-serif, system-ui'
  for (
    let t = Math.floor(g.scrollTick / scene.barTicks) * scene.barTicks;
    t <= endTick;
    t += scene.barTicks
  ) {
    const x = xOf(g, t)
    if (x < KEYS_WIDTH) continue
    c.fillRect(x, 10, 1, RULER_HEIGHT - 10)
    c.fillText(String(t / scene.barTicks + 1), x + 3, 14)
  }

  // Velocity lane.
  c.fillStyle = '#181a20'
  c.fillRect(0, bottom, width, VELOCITY_HEIGHT)
  c.fillStyle = '#2f3441'
  c.fillRect(0, bottom, width, 1)
  c.fillStyle = '#9aa3b5'
  c.fillText('Velocity', 6, bottom + 16)
  const stems = [new Path2D(), new Path2D()]
  for (const n of visible) {
    const x = xOf(g, n.start)
    if (x < KEYS_WIDTH || x > width) continue
    const top = velocityTop(g, n.velocity)
    const stem = stems[scene.selected.has(n.id) ? 1 : 0]!
    stem.rect(x, top, 2, height - 6 - top)
    stem.rect(x - 2, top - 2, 6, 4)
  }
  c.fillStyle = scene.colour
  c.fill(stems[0]!)
  c.fillStyle = '#f5f7fa'
  c.fill(stems[1]!)

  if (scene.playhead !== null) {
    const x = xOf(g, scene.playhead)
    if (x >= KEYS_WIDTH && x <= width) {
      c.fillStyle = '#6ee7b7'
      c.fillRect(Math.round(x), 0, 2, bottom)
    }
  }
}
