import {
  addNotes,
  type ClipRef,
  deleteClips,
  deleteNotes,
  duplicateClip,
  duplicateNotes,
  moveClips,
  moveNotes,
  quantizeNotes,
  readAudioClip,
  readClip,
  readMeta,
  readTrack,
  readTracks,
  resizeClip,
  SIXTEENTH,
  splitClip,
  ticksPerBar,
  transposeNotes,
} from '@ensemble/core'
import { audioClipRefs, deleteAudio, duplicateAudio, moveAudio, splitAudioAt } from '../audio/song-audio'
import type { ViewState } from '../view/view-store'
import { AI_COMMANDS } from './ai-commands'
import { pasteClips } from './clip-paste'
import type { CopiedClip } from './clipboard'
import { type Command, defineCommand, type StudioContext } from './command'

const barTicks = (ctx: StudioContext): number => ticksPerBar(readMeta(ctx.session.doc).timeSignature)

/** The nudge and quantize step: the snap grid, or a sixteenth when snapping is off. */
const gridTicks = (view: ViewState): number => (view.snap > 0 ? view.snap : SIXTEENTH)

const canEdit = (ctx: StudioContext): boolean => ctx.session.role !== 'viewer'

const noteSelection = (ctx: StudioContext) => {
  const s = ctx.view.get().selection
  if (s.kind !== 'notes' || s.noteIds.length === 0) return null
  const clip = readClip(ctx.session.doc, s.trackId, s.clipId)
  if (!clip) return null
  // Drop ids a bandmate deleted meanwhile, so a batch operation is never refused for a vanished note.
  const present = new Set(clip.notes.map((n) => n.id))
  const noteIds = s.noteIds.filter((id) => present.has(id))
  return noteIds.length === 0 ? null : { trackId: s.trackId, clipId: s.clipId, noteIds, clip }
}

const clipSelection = (ctx: StudioContext): ClipRef[] => {
  const s = ctx.view.get().selection
  if (s.kind !== 'clips') return []
  return s.clips.filter((c) => readClip(ctx.session.doc, c.trackId, c.clipId) !== undefined)
}

/** The selected audio clips; the MIDI commands see only `clipSelection`, the arrangement edits see both. */
const audioSelection = (ctx: StudioContext): ClipRef[] => {
  const s = ctx.view.get().selection
  return s.kind === 'clips' ? audioClipRefs(ctx.session.doc, s.clips) : []
}

const hasClips = (ctx: StudioContext) => clipSelection(ctx).length > 0 || audioSelection(ctx).length > 0

const hasSelection = (ctx: StudioContext) => canEdit(ctx) && (noteSelection(ctx) !== null || hasClips(ctx))

/** Deletes the selected notes, or else the selected clips (MIDI and audio). */
function deleteSelection(ctx: StudioContext): void {
  const { doc, me } = ctx.session
  const notes = noteSelection(ctx)
  if (notes) deleteNotes(doc, me, notes.trackId, notes.clipId, notes.noteIds)
  else {
    const clips = clipSelection(ctx)
    if (clips.length > 0) deleteClips(doc, me, clips)
    deleteAudio(doc, me, audioSelection(ctx))
  }
  ctx.view.set({ selection: { kind: 'none' } })
}

/** Puts the selected notes, or else the selected clips (MIDI and audio), on this tab's clipboard. */
function copySelection(ctx: StudioContext): void {
  const { doc } = ctx.session
  const notes = noteSelection(ctx)
  if (notes) {
    const chosen = notes.clip.notes.filter((n) => notes.noteIds.includes(n.id))
    const first = Math.min(...chosen.map((n) => n.start))
    ctx.clipboard.content = {
      kind: 'notes',
      notes: chosen.map(({ id: _id, ...n }) => ({ ...n, start: n.start - first })),
    }
    return
  }
  const midi = clipSelection(ctx).flatMap((ref) => {
    const clip = readClip(doc, ref.trackId, ref.clipId)
    return clip ? [{ trackId: ref.trackId, clip }] : []
  })
  const audio = audioSelection(ctx).flatMap((ref) => {
    const clip = readAudioClip(doc, ref.trackId, ref.clipId)
    return clip ? [{ trackId: ref.trackId, clip }] : []
  })
  if (midi.length + audio.length === 0) return
  const first = Math.min(...midi.map((c) => c.clip.start), ...audio.map((c) => c.clip.start))
  const clips: CopiedClip[] = [
    ...midi.map((c) => ({ kind: 'midi' as const, ...c, offset: c.clip.start - first })),
    ...audio.map((c) => ({ kind: 'audio' as const, ...c, offset: c.clip.start - first })),
  ]
  ctx.clipboard.content = { kind: 'clips', clips }
}

const nudgeTime = (direction: 1 | -1, bar: boolean) => (ctx: StudioContext) => {
  const step = bar ? barTicks(ctx) : gridTicks(ctx.view.get())
  const notes = noteSelection(ctx)
  const { doc, me } = ctx.session
  if (notes)
    return moveNotes(doc, me, notes.trackId, notes.clipId, notes.noteIds, { deltaTicks: direction * step })
  const clips = clipSelection(ctx)
  const deltaTicks = direction * (bar ? step : barTicks(ctx))
  if (clips.length > 0) moveClips(doc, me, clips, { deltaTicks })
  moveAudio(doc, me, audioSelection(ctx), deltaTicks)
}

const transpose = (semitones: number) => (ctx: StudioContext) => {
  const notes = noteSelection(ctx)
  if (notes)
    transposeNotes(ctx.session.doc, ctx.session.me, notes.trackId, notes.clipId, notes.noteIds, semitones)
}

const hasNotes = (ctx: StudioContext) => canEdit(ctx) && noteSelection(ctx) !== null

export const STUDIO_COMMANDS: readonly Command[] = [
  defineCommand({
    id: 'undo',
    label: 'Undo',
    group: 'Edit',
    shortcuts: [{ key: 'z', mod: true }],
    enabled: (ctx) => ctx.session.undo.canUndo(),
    perform: (ctx) => ctx.session.undo.undo(),
  }),
  defineCommand({
    id: 'redo',
    label: 'Redo',
    group: 'Edit',
    shortcuts: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true },
    ],
    enabled: (ctx) => ctx.session.undo.canRedo(),
    perform: (ctx) => ctx.session.undo.redo(),
  }),
  defineCommand({
    id: 'delete',
    label: 'Delete selection',
    group: 'Edit',
    shortcuts: [{ key: 'Delete' }, { key: 'Backspace' }],
    enabled: hasSelection,
    perform: deleteSelection,
  }),
  defineCommand({
    id: 'copy',
    label: 'Copy',
    group: 'Edit',
    shortcuts: [{ key: 'c', mod: true }],
    enabled: (ctx) => noteSelection(ctx) !== null || hasClips(ctx),
    perform: copySelection,
  }),
  defineCommand({
    id: 'cut',
    label: 'Cut',
    group: 'Edit',
    shortcuts: [{ key: 'x', mod: true }],
    enabled: hasSelection,
    perform(ctx) {
      copySelection(ctx)
      deleteSelection(ctx)
    },
  }),
  defineCommand({
    id: 'paste',
    label: 'Paste at the playhead',
    group: 'Edit',
    shortcuts: [{ key: 'v', mod: true }],
    enabled: (ctx) => canEdit(ctx) && ctx.clipboard.content !== null,
    perform(ctx) {
      const content = ctx.clipboard.content
      const { doc, me } = ctx.session
      const view = ctx.view.get()
      const at = Math.round(ctx.transport.position())
      if (content?.kind === 'notes' && view.editor) {
        const clip = readClip(doc, view.editor.trackId, view.editor.clipId)
        if (!clip) return
        // Inside the clip: at the playhead; otherwise at the clip's start, so a paste never lands out of reach.
        const offset = at >= clip.start && at < clip.start + clip.length ? at - clip.start : 0
        const ids = addNotes(
          doc,
          me,
          view.editor.trackId,
          clip.id,
          content.notes.map((n) => ({
            pitch: n.pitch,
            start: n.start + offset,
            duration: n.duration,
            velocity: n.velocity,
          })),
        )
        ctx.view.set({ selection: { kind: 'notes', ...view.editor, noteIds: ids } })
      } else if (content?.kind === 'clips') {
        const target = view.selectedTrackId
        const ids = pasteClips(doc, me, content.clips, at, target)
        ctx.view.set({ selection: { kind: 'clips', clips: ids } })
      }
    },
  }),
  defineCommand({
    id: 'duplicate',
    label: 'Duplicate',
    group: 'Edit',
    shortcuts: [{ key: 'd', mod: true }],
    enabled: hasSelection,
    perform(ctx) {
      const { doc, me } = ctx.session
      const notes = noteSelection(ctx)
      if (notes) {
        const ids = duplicateNotes(doc, me, notes.trackId, notes.clipId, notes.noteIds)
        ctx.view.set({
          selection: { kind: 'notes', trackId: notes.trackId, clipId: notes.clipId, noteIds: ids },
        })
        return
      }
      const ids = clipSelection(ctx).map((ref) => ({
        trackId: ref.trackId,
        clipId: duplicateClip(doc, me, ref.trackId, ref.clipId),
      }))
      ctx.view.set({
        selection: { kind: 'clips', clips: [...ids, ...duplicateAudio(doc, me, audioSelection(ctx))] },
      })
    },
  }),
  defineCommand({
    id: 'select-all',
    label: 'Select all',
    group: 'Edit',
    shortcuts: [{ key: 'a', mod: true }],
    enabled: () => true,
    perform(ctx) {
      const view = ctx.view.get()
      const { doc } = ctx.session
      if (view.editor) {
        const clip = readClip(doc, view.editor.trackId, view.editor.clipId)
        if (clip)
          ctx.view.set({ selection: { kind: 'notes', ...view.editor, noteIds: clip.notes.map((n) => n.id) } })
        return
      }
      const tracks = view.selectedTrackId
        ? [readTrack(doc, view.selectedTrackId)].filter((t) => t !== undefined)
        : readTracks(doc)
      ctx.view.set({
        selection: {
          kind: 'clips',
          // Audio clips too, every take: "select all, delete" leaves nothing behind.
          clips: tracks.flatMap((t) =>
            [...t.clips, ...t.audioClips].map((c) => ({ trackId: t.id, clipId: c.id })),
          ),
        },
      })
    },
  }),
  defineCommand({
    id: 'deselect',
    label: 'Clear selection',
    group: 'Edit',
    shortcuts: [{ key: 'Escape' }],
    enabled: () => true,
    perform: (ctx) => ctx.view.set({ selection: { kind: 'none' }, helpOpen: false }),
  }),
  defineCommand({
    id: 'nudge-left',
    label: 'Nudge earlier by the grid',
    group: 'Notes',
    shortcuts: [{ key: 'ArrowLeft' }],
    enabled: hasSelection,
    perform: nudgeTime(-1, false),
  }),
  defineCommand({
    id: 'nudge-right',
    label: 'Nudge later by the grid',
    group: 'Notes',
    shortcuts: [{ key: 'ArrowRight' }],
    enabled: hasSelection,
    perform: nudgeTime(1, false),
  }),
  defineCommand({
    id: 'nudge-bar-left',
    label: 'Nudge a bar earlier',
    group: 'Notes',
    shortcuts: [{ key: 'ArrowLeft', shift: true }],
    enabled: hasSelection,
    perform: nudgeTime(-1, true),
  }),
  defineCommand({
    id: 'nudge-bar-right',
    label: 'Nudge a bar later',
    group: 'Notes',
    shortcuts: [{ key: 'ArrowRight', shift: true }],
    enabled: hasSelection,
    perform: nudgeTime(1, true),
  }),
  defineCommand({
    id: 'transpose-up',
    label: 'Transpose up a semitone',
    group: 'Notes',
    shortcuts: [{ key: 'ArrowUp' }],
    enabled: hasNotes,
    perform: transpose(1),
  }),
  defineCommand({
    id: 'transpose-down',
    label: 'Transpose down a semitone',
    group: 'Notes',
    shortcuts: [{ key: 'ArrowDown' }],
    enabled: hasNotes,
    perform: transpose(-1),
  }),
  defineCommand({
    id: 'transpose-octave-up',
    label: 'Transpose up an octave',
    group: 'Notes',
    shortcuts: [{ key: 'ArrowUp', shift: true }],
    enabled: hasNotes,
    perform: transpose(12),
  }),
  defineCommand({
    id: 'transpose-octave-down',
    label: 'Transpose down an octave',
    group: 'Notes',
    shortcuts: [{ key: 'ArrowDown', shift: true }],
    enabled: hasNotes,
    perform: transpose(-12),
  }),
  defineCommand({
    id: 'quantize',
    label: 'Quantize to the grid',
    group: 'Notes',
    shortcuts: [{ key: 'q' }],
    enabled: hasNotes,
    perform(ctx) {
      const notes = noteSelection(ctx)
      if (!notes) return
      const grid = gridTicks(ctx.view.get())
      quantizeNotes(ctx.session.doc, ctx.session.me, notes.trackId, notes.clipId, notes.noteIds, { grid })
    },
  }),
  defineCommand({
    id: 'split',
    label: 'Split clip at the playhead',
    group: 'Arrange',
    shortcuts: [{ key: 'e', mod: true }],
    enabled: (ctx) => canEdit(ctx) && hasClips(ctx),
    perform(ctx) {
      const at = Math.round(ctx.transport.position())
      const { doc, me } = ctx.session
      const parts: ClipRef[] = []
      for (const ref of clipSelection(ctx)) {
        const clip = readClip(doc, ref.trackId, ref.clipId)
        if (!clip || at <= clip.start || at >= clip.start + clip.length) continue
        const { leftClipId, rightClipId } = splitClip(doc, me, ref.trackId, ref.clipId, at)
        parts.push(
          { trackId: ref.trackId, clipId: leftClipId },
          { trackId: ref.trackId, clipId: rightClipId },
        )
      }
      parts.push(...splitAudioAt(doc, me, audioSelection(ctx), at))
      if (parts.length > 0) ctx.view.set({ selection: { kind: 'clips', clips: parts } })
    },
  }),
  defineCommand({
    id: 'loop-clip',
    label: 'Loop or unloop the selected clips',
    group: 'Arrange',
    shortcuts: [{ key: 'l', mod: true }],
    enabled: (ctx) => canEdit(ctx) && clipSelection(ctx).length > 0,
    perform(ctx) {
      const { doc, me } = ctx.session
      for (const ref of clipSelection(ctx)) {
        const clip = readClip(doc, ref.trackId, ref.clipId)
        if (!clip) continue
        resizeClip(doc, me, ref.trackId, ref.clipId, {
          loopLength: clip.loopLength === null ? clip.length : null,
        })
      }
    },
  }),
  defineCommand({
    id: 'play-stop',
    label: 'Play / stop',
    group: 'Transport',
    shortcuts: [{ key: ' ' }],
    enabled: () => true,
    perform: (ctx) => ctx.transport.toggle(),
  }),
  defineCommand({
    id: 'rewind',
    label: 'Back to the start',
    group: 'Transport',
    shortcuts: [{ key: 'Home' }, { key: 'Enter' }],
    enabled: () => true,
    perform: (ctx) => ctx.transport.seek(ctx.view.get().loop.enabled ? ctx.view.get().loop.start : 0),
  }),
  defineCommand({
    id: 'loop-region',
    label: 'Loop region on / off',
    group: 'Transport',
    shortcuts: [{ key: 'l' }],
    enabled: () => true,
    perform: (ctx) => ctx.view.set((s) => ({ loop: { ...s.loop, enabled: !s.loop.enabled } })),
  }),
  defineCommand({
    id: 'metronome',
    label: 'Metronome on / off',
    group: 'Transport',
    shortcuts: [{ key: 'k' }],
    enabled: () => true,
    perform: (ctx) => ctx.view.set((s) => ({ metronome: !s.metronome })),
  }),
  defineCommand({
    id: 'tool-draw',
    label: 'Draw tool',
    group: 'Tools',
    shortcuts: [{ key: 'b' }],
    enabled: () => true,
    perform: (ctx) => ctx.view.set({ tool: 'draw' }),
  }),
  defineCommand({
    id: 'tool-select',
    label: 'Select tool',
    group: 'Tools',
    shortcuts: [{ key: 'v' }],
    enabled: () => true,
    perform: (ctx) => ctx.view.set({ tool: 'select' }),
  }),
  defineCommand({
    id: 'tool-velocity',
    label: 'Velocity tool',
    group: 'Tools',
    shortcuts: [{ key: 'g' }],
    enabled: () => true,
    perform: (ctx) => ctx.view.set({ tool: 'velocity' }),
  }),
  defineCommand({
    id: 'zoom-in',
    label: 'Zoom in',
    group: 'View',
    shortcuts: [{ key: '=' }, { key: '+' }],
    enabled: () => true,
    perform: (ctx) =>
      ctx.view.get().editor
        ? ctx.view.set((s) => ({
            roll: { ...s.roll, pxPerQuarter: Math.min(400, s.roll.pxPerQuarter * 1.25) },
          }))
        : ctx.view.set((s) => ({ pxPerQuarter: Math.min(200, s.pxPerQuarter * 1.25) })),
  }),
  defineCommand({
    id: 'zoom-out',
    label: 'Zoom out',
    group: 'View',
    shortcuts: [{ key: '-' }],
    enabled: () => true,
    perform: (ctx) =>
      ctx.view.get().editor
        ? ctx.view.set((s) => ({
            roll: { ...s.roll, pxPerQuarter: Math.max(12, s.roll.pxPerQuarter / 1.25) },
          }))
        : ctx.view.set((s) => ({ pxPerQuarter: Math.max(4, s.pxPerQuarter / 1.25) })),
  }),
  defineCommand({
    id: 'close-editor',
    label: 'Close the clip editor',
    group: 'View',
    shortcuts: [{ key: 'w', alt: true }],
    enabled: (ctx) => ctx.view.get().editor !== null,
    perform: (ctx) => ctx.view.set({ editor: null }),
  }),
  defineCommand({
    id: 'help',
    label: 'Keyboard shortcuts',
    group: 'View',
    shortcuts: [{ key: '?' }],
    enabled: () => true,
    perform: (ctx) => ctx.view.set((s) => ({ helpOpen: !s.helpOpen })),
  }),
  ...AI_COMMANDS,
]

export const commandById = (id: string): Command => {
  const found = STUDIO_COMMANDS.find((c) => c.id === id)
  if (!found) throw new Error(`Unknown command ${id}`)
  return found
}
