'use client'

import {
  type ClipSnapshot,
  observeProposals,
  PPQ,
  pitchName,
  readClip,
  readMeta,
  readProposals,
  readTrack,
  SIXTEENTH,
  subscribe,
  ticksPerBar,
} from '@ensemble/core'
import { pitchClassOf, scalePitchClasses } from '@ensemble/core/plugin'
import { useEffect, useMemo, useRef } from 'react'
import { type GhostLayer, proposalLabel, shownProposal, variationNotes } from '../ai/ghost-notes'
import { offscreenGhosts, scrollToShow } from '../ai/ghost-scroll'
import { useMemberNames } from '../ai/member-names'
import { describeProvenance } from '../ai/provenance'
import { drumRowName } from '../drums/drum-rows'
import { readRemoteViews } from '../presence/remote-views'
import { colourFor } from '../session/song-session'
import { useStudio } from '../studio-context'
import { type EditorTarget, selectedNoteIds } from '../view/view-store'
import {
  hitNote,
  KEYS_WIDTH,
  pitchAt,
  type RollGeometry,
  RULER_HEIGHT,
  tickAt,
  VELOCITY_HEIGHT,
  zoneAt,
} from './roll-geometry'
import type { RollPreview } from './roll-preview'
import { drawRoll } from './roll-renderer'
import { createDrawTool } from './tools/draw'
import { createSelectTool } from './tools/select'
import type { RollPointer, RollTool, ToolContext } from './tools/tool'
import { createVelocityTool } from './tools/velocity'
import './piano-roll.css'

const ROW_HEIGHT = 14

/**
 * The canvas says in words what it draws (screen readers, and tests that cannot read pixels): a summary
 * in its label and the notes as pitch:start:duration:velocity in data-notes (the first 256).
 */
function describe(
  canvas: HTMLCanvasElement,
  clip: ClipSnapshot,
  selected: readonly string[],
  proposal: GhostLayer | null,
): void {
  const notes = clip.notes.slice(0, 256)
  const data = notes.map((n) => `${n.pitch}:${n.start}:${n.duration}:${n.velocity}`).join(',')
  const ai = String(clip.notes.filter((n) => n.provenance !== undefined).length)
  const ghosts =
    proposal?.notes
      .slice(0, 256)
      .map((n) => `${n.pitch}:${n.start}:${n.duration}:${n.velocity}`)
      .join(',') ?? ''
  const ghostLabel = proposal?.label ?? ''
  if (
    canvas.dataset.notes === data &&
    canvas.dataset.selected === String(selected.length) &&
    canvas.dataset.aiNotes === ai &&
    canvas.dataset.ghostNotes === ghosts &&
    canvas.dataset.ghostLabel === ghostLabel
  )
    return
  canvas.dataset.notes = data
  canvas.dataset.selected = String(selected.length)
  canvas.dataset.aiNotes = ai
  canvas.dataset.ghostNotes = ghosts
  canvas.dataset.ghostLabel = ghostLabel
  const names = notes.slice(0, 16).map((n) => pitchName(n.pitch))
  const aiText = ai === '0' ? '' : `, ${ai} made by AI`
  const ghostText = proposal ? `; suggestion (${proposal.label}): ${proposal.notes.length} ghost notes` : ''
  canvas.setAttribute(
    'aria-label',
    `Piano roll, ${clip.notes.length} notes${aiText}, ${selected.length} selected${names.length ? `: ${names.join(' ')}` : ''}${ghostText}`,
  )
}

/** The proposal this tab shows on the clip's track, as ghost notes relative to the clip. */
function ghostLayer(
  doc: Parameters<typeof readProposals>[0],
  clip: ClipSnapshot,
  trackId: string,
  focus: { readonly proposalId: string; readonly variation: number } | null,
): GhostLayer | null {
  const shown = shownProposal(readProposals(doc), trackId, focus)
  if (shown?.proposal.kind !== 'notes') return null
  return {
    proposalId: shown.proposal.id,
    variation: shown.variation,
    requestedBy: shown.proposal.run.requestedBy,
    notes: variationNotes(shown.proposal, shown.variation, clip.start),
    colour: colourFor(shown.proposal.run.requestedBy),
    label: proposalLabel(shown.proposal, shown.variation),
  }
}

/**
 * The piano roll: one canvas, drawn in requestAnimationFrame whenever the clip, the view, a collaborator or
 * the playhead changed. No React element per note; React only mounts the canvas and the toolbar.
 */
export function PianoRoll({ target, drums }: { target: EditorTarget; drums: boolean }) {
  const studio = useStudio()
  const nameOf = useMemberNames(studio.session)
  // The draw loop outlives renders; it reads the latest names through this ref.
  const nameOfRef = useRef(nameOf)
  nameOfRef.current = nameOf
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const wrapRef = useRef<HTMLDivElement>(null)
  const ghostHintRef = useRef<HTMLButtonElement>(null)
  const tools = useMemo(
    () => ({ draw: createDrawTool(), select: createSelectTool(), velocity: createVelocityTool() }),
    [],
  )

  useEffect(() => {
    const canvas = canvasRef.current!
    const wrap = wrapRef.current!
    const ghostHint = ghostHintRef.current!
    const c = canvas.getContext('2d')!
    const { doc, me } = studio.session
    const awareness = studio.session.connection.provider.awareness
    let size = { width: 800, height: 360 }
    let dirty = true
    let preview: RollPreview | null = null
    let active: RollTool | null = null
    let lastPlayhead: number | null = null
    let frame = 0
    let draws = 0
    const markDirty = () => {
      dirty = true
    }

    const readTarget = (): ClipSnapshot | undefined => readClip(doc, target.trackId, target.clipId)
    const geometry = (): RollGeometry => {
      const roll = studio.view.get().roll
      return { ...size, ...roll, rowHeight: ROW_HEIGHT }
    }
    const barTicks = () => ticksPerBar(readMeta(doc).timeSignature)
    const grid = () => {
      const snap = studio.view.get().snap
      return snap > 0 ? Math.min(snap, PPQ) : SIXTEENTH
    }
    const clipStart = () => readTarget()?.start ?? 0
    // The grid is anchored at song tick 0 (as quantize is), so snapping works in song time.
    const snapRel = (t: number) => {
      const step = studio.view.get().snap > 0 ? grid() : 1
      return Math.round((clipStart() + t) / step) * step - clipStart()
    }
    const floorRel = (t: number) => {
      const step = studio.view.get().snap > 0 ? grid() : 1
      return Math.floor((clipStart() + t) / step) * step - clipStart()
    }

    const ctx: ToolContext = {
      doc,
      me,
      trackId: target.trackId,
      clipId: target.clipId,
      readOnly: studio.session.role === 'viewer',
      clip: readTarget,
      geometry,
      snap: snapRel,
      floor: floorRel,
      grid,
      selection: () => selectedNoteIds(studio.view.get(), target),
      select: (noteIds) => studio.view.set({ selection: { kind: 'notes', ...target, noteIds } }),
      setPreview: (p) => {
        preview = p
        dirty = true
      },
      audition: (pitch, velocity) => studio.audition(target.trackId, pitch, velocity),
      run: studio.run,
    }

    // Ghost notes out of view: the roll scrolls to a proposal this person asked for or picked (when it
    // arrives or its variation changes); a bandmate's only gets a hint, so nobody's view is yanked.
    let ghostKey: string | null = null
    let ghostPitches: number[] = []
    const pitchView = () => ({
      topPitch: studio.view.get().roll.topPitch,
      rows: Math.max(8, Math.floor((size.height - RULER_HEIGHT - VELOCITY_HEIGHT) / ROW_HEIGHT)),
    })
    const scrollToGhosts = (towards: 'above' | 'below' = 'above'): boolean => {
      const topPitch = scrollToShow(ghostPitches, pitchView(), towards)
      if (topPitch === null) return false
      studio.view.set((s) => ({ roll: { ...s.roll, topPitch } }))
      return true
    }
    const followGhosts = (layer: GhostLayer | null) => {
      ghostPitches = layer?.notes.map((n) => n.pitch) ?? []
      // Picking the proposal that is already shown counts as a change too: it asks to see it.
      const picked = layer !== null && studio.view.get().aiFocus?.proposalId === layer.proposalId
      const key = layer ? `${layer.proposalId}:${layer.variation}:${picked}` : null
      if (key !== ghostKey) {
        ghostKey = key
        if (layer && (layer.requestedBy === me.userId || picked) && scrollToGhosts()) return
      }
      const { above, below } = offscreenGhosts(ghostPitches, pitchView())
      const text = [
        above > 0 ? `${above} ghost note${above === 1 ? '' : 's'} above ↑` : '',
        below > 0 ? `${below} ghost note${below === 1 ? '' : 's'} below ↓` : '',
      ]
        .filter(Boolean)
        .join(' · ')
      if (ghostHint.textContent !== text) ghostHint.textContent = text
      ghostHint.hidden = text === ''
      ghostHint.style.top = above > 0 ? `${RULER_HEIGHT + 6}px` : ''
      ghostHint.style.bottom = above > 0 ? '' : `${VELOCITY_HEIGHT + 6}px`
      if (layer) ghostHint.style.setProperty('--who', layer.colour)
    }
    // The hint says where the notes went; a click goes there (towards the lower ones when only those are out).
    const onGhostHint = () => {
      const { above, below } = offscreenGhosts(ghostPitches, pitchView())
      scrollToGhosts(below > 0 && above === 0 ? 'below' : 'above')
    }

    const draw = () => {
      frame = requestAnimationFrame(draw)
      const clip = readTarget()
      const playing = studio.transport.playing()
      const position = studio.transport.position() - (clip?.start ?? 0)
      const playhead = clip && position >= 0 && position <= clip.length ? position : null
      if (!dirty && playhead === lastPlayhead) return
      dirty = false
      lastPlayhead = playing || playhead !== null ? playhead : null
      if (!clip) return
      const proposal = ghostLayer(doc, clip, target.trackId, studio.view.get().aiFocus)
      followGhosts(proposal)
      describe(canvas, clip, selectedNoteIds(studio.view.get(), target), proposal)
      canvas.dataset.topPitch = String(studio.view.get().roll.topPitch)
      canvas.dataset.pxPerQuarter = String(studio.view.get().roll.pxPerQuarter)
      const meta = readMeta(doc)
      const track = readTrack(doc, target.trackId)
      const dpr = window.devicePixelRatio || 1
      c.setTransform(dpr, 0, 0, dpr, 0, 0)
      const drawStarted = performance.now()
      drawRoll(c, {
        geometry: geometry(),
        clip,
        colour: track?.colour ?? '#6ee7b7',
        selected: new Set(selectedNoteIds(studio.view.get(), target)),
        preview,
        scale: new Set(scalePitchClasses(meta.key)),
        tonic: pitchClassOf(meta.key.tonic),
        barTicks: barTicks(),
        grid: grid(),
        playhead: lastPlayhead,
        remote: readRemoteViews(awareness),
        rowNames: drums ? drumRowName : null,
        proposal,
      })
      // For benchmarks (bench/studio): how many times the canvas was drawn, and how long the last draw took.
      draws++
      canvas.dataset.drawCount = String(draws)
      canvas.dataset.drawMs = (performance.now() - drawStarted).toFixed(2)
    }

    const resize = () => {
      const box = wrap.getBoundingClientRect()
      const dpr = window.devicePixelRatio || 1
      size = { width: Math.max(200, box.width), height: Math.max(160, box.height) }
      canvas.width = Math.round(size.width * dpr)
      canvas.height = Math.round(size.height * dpr)
      canvas.style.width = `${size.width}px`
      canvas.style.height = `${size.height}px`
      dirty = true
    }
    const observer = new ResizeObserver(resize)
    observer.observe(wrap)
    resize()

    // Start with the clip's notes in view (or, for an empty clip, the octaves around middle C / the kit).
    const initial = readTarget()
    const rows = Math.max(8, Math.floor((size.height - RULER_HEIGHT - VELOCITY_HEIGHT) / ROW_HEIGHT))
    const pitches = initial?.notes.map((n) => n.pitch) ?? []
    const centre =
      pitches.length > 0 ? Math.round((Math.max(...pitches) + Math.min(...pitches)) / 2) : drums ? 44 : 66
    const topPitch = Math.min(127, Math.max(rows - 1, centre + Math.floor(rows / 2)))
    studio.view.set((s) => ({ roll: { ...s.roll, scrollTick: 0, topPitch } }))

    const pointer = (e: PointerEvent | WheelEvent): RollPointer => {
      const box = canvas.getBoundingClientRect()
      const x = e.clientX - box.left
      const y = e.clientY - box.top
      const g = geometry()
      return {
        x,
        y,
        tick: tickAt(g, x),
        pitch: pitchAt(g, y),
        shift: e.shiftKey,
        alt: e.altKey,
        mod: e.ctrlKey || e.metaKey,
      }
    }
    const toolFor = (p: RollPointer): RollTool | null => {
      const zone = zoneAt(geometry(), p.x, p.y)
      if (zone === 'velocity') return tools.velocity
      if (zone !== 'grid') return null
      const tool = studio.view.get().tool
      return tool === 'velocity' ? tools.select : tools[tool]
    }

    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return
      const p = pointer(e)
      const zone = zoneAt(geometry(), p.x, p.y)
      if (zone === 'keys') {
        ctx.audition(p.pitch, 100)
        return
      }
      if (zone === 'ruler') {
        studio.transport.seek(clipStart() + Math.max(0, floorRel(p.tick)))
        return
      }
      active = toolFor(p)
      if (!active) return
      canvas.setPointerCapture(e.pointerId)
      active.down(p, ctx)
      dirty = true
    }
    const onMove = (e: PointerEvent) => {
      const p = pointer(e)
      const g = geometry()
      studio.presence.pointer({
        editorCursor: p.x > KEYS_WIDTH ? { tick: Math.round(p.tick), pitch: p.pitch } : null,
      })
      if (active) {
        active.move(p, ctx)
        canvas.style.cursor = active.cursor(p, ctx)
        return
      }
      // Hovering an AI-made note says where it came from.
      const hit = zoneAt(g, p.x, p.y) === 'grid' ? hitNote(g, readTarget()?.notes ?? [], p.x, p.y) : null
      const provenance = hit?.note.provenance
      const title = provenance
        ? `Made by AI\n${describeProvenance(provenance, nameOfRef.current).join('\n')}`
        : ''
      if (canvas.title !== title) canvas.title = title
      const tool = toolFor(p)
      canvas.style.cursor = tool
        ? tool.cursor(p, ctx)
        : zoneAt(g, p.x, p.y) === 'keys'
          ? 'pointer'
          : 'default'
    }
    const onUp = (e: PointerEvent) => {
      if (!active) return
      const tool = active
      active = null
      tool.up(pointer(e), ctx)
      dirty = true
    }
    const onLeave = () => studio.presence.pointer({ editorCursor: null })
    const onWheel = (e: WheelEvent) => {
      e.preventDefault()
      const g = geometry()
      if (e.ctrlKey || e.metaKey) {
        const p = pointer(e)
        const factor = e.deltaY < 0 ? 1.15 : 1 / 1.15
        const pxPerQuarter = Math.max(12, Math.min(480, g.pxPerQuarter * factor))
        // Zoom around the pointer: the tick under it stays under it.
        const scrollTick = Math.max(0, p.tick - ((p.x - KEYS_WIDTH) / pxPerQuarter) * PPQ)
        studio.view.set((s) => ({ roll: { ...s.roll, pxPerQuarter, scrollTick } }))
        return
      }
      const horizontal = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)
      if (horizontal) {
        const d = e.shiftKey ? e.deltaY : e.deltaX
        const scrollTick = Math.max(0, g.scrollTick + (d / g.pxPerQuarter) * PPQ)
        studio.view.set((s) => ({ roll: { ...s.roll, scrollTick } }))
      } else {
        const rows = Math.round(e.deltaY / ROW_HEIGHT) || Math.sign(e.deltaY)
        const visible = Math.floor((size.height - 100) / ROW_HEIGHT)
        const topPitch = Math.max(visible, Math.min(127, g.topPitch - rows))
        studio.view.set((s) => ({ roll: { ...s.roll, topPitch } }))
      }
    }

    canvas.addEventListener('pointerdown', onDown)
    canvas.addEventListener('pointermove', onMove)
    canvas.addEventListener('pointerup', onUp)
    canvas.addEventListener('pointerleave', onLeave)
    canvas.addEventListener('pointercancel', () => {
      active?.cancel(ctx)
      active = null
    })
    canvas.addEventListener('wheel', onWheel, { passive: false })
    ghostHint.addEventListener('click', onGhostHint)
    const offSong = subscribe(doc, readTarget, markDirty)
    const offMeta = subscribe(doc, readMeta, markDirty)
    const offProposals = observeProposals(doc, markDirty)
    const offView = studio.view.subscribe(markDirty)
    awareness.on('change', markDirty)
    frame = requestAnimationFrame(draw)
    return () => {
      cancelAnimationFrame(frame)
      observer.disconnect()
      offSong()
      offMeta()
      offProposals()
      offView()
      awareness.off('change', markDirty)
      canvas.removeEventListener('pointerdown', onDown)
      canvas.removeEventListener('pointermove', onMove)
      canvas.removeEventListener('pointerup', onUp)
      canvas.removeEventListener('pointerleave', onLeave)
      canvas.removeEventListener('wheel', onWheel)
      ghostHint.removeEventListener('click', onGhostHint)
      studio.presence.pointer({ editorCursor: null })
    }
  }, [studio, target, tools, drums])

  return (
    <div ref={wrapRef} className="st-roll-wrap">
      <canvas ref={canvasRef} data-testid="piano-roll" aria-label="Piano roll" role="img" />
      <button ref={ghostHintRef} type="button" className="st-roll-ghosts" data-testid="ghost-hint" hidden />
    </div>
  )
}
