import {
  addAudioAsset,
  addAudioClip,
  addClip,
  addNotes,
  addTrack,
  createSongDoc,
  createUndo,
  PPQ,
  readClip,
  readTrack,
  readTracks,
  UserOrigin,
} from '@ensemble/core'
import { describe, expect, it } from 'vitest'
import type { SongSession } from '../session/song-session'
import { createClockTransport } from '../transport/transport'
import { createViewStore } from '../view/view-store'
import { createClipboard } from './clipboard'
import type { StudioContext } from './command'
import { matches } from './shortcut'
import { commandById, STUDIO_COMMANDS } from './studio-commands'

function studio() {
  const doc = createSongDoc()
  const me = new UserOrigin('tester')
  // Commands touch only the doc, the user and their undo; the connection is not needed here.
  const session = {
    projectId: 'p',
    doc,
    me,
    undo: createUndo(doc, me),
    role: 'editor',
  } as unknown as SongSession
  const view = createViewStore()
  const ctx: StudioContext = {
    session,
    view,
    clipboard: createClipboard(),
    transport: createClockTransport(doc, view),
  }
  const trackId = addTrack(doc, me, { kind: 'instrument', name: 'Keys' })
  const { clipId } = addClip(doc, me, trackId, { start: 0, length: PPQ * 8 })
  const ids = addNotes(doc, me, trackId, clipId, [
    { pitch: 60, start: 10, duration: PPQ },
    { pitch: 64, start: PPQ + 30, duration: PPQ },
  ])
  view.set({ editor: { trackId, clipId }, selection: { kind: 'notes', trackId, clipId, noteIds: ids } })
  const run = (id: string) => {
    const command = commandById(id)
    expect(command.enabled(ctx)).toBe(true)
    command.perform(ctx)
  }
  const notes = () => readClip(doc, trackId, clipId)!.notes.map((n) => [n.pitch, n.start])
  return { ctx, run, notes, view, trackId, clipId }
}

const key = (k: string, mods: { ctrl?: boolean; shift?: boolean; alt?: boolean } = {}) =>
  ({
    key: k,
    ctrlKey: mods.ctrl ?? false,
    metaKey: false,
    shiftKey: mods.shift ?? false,
    altKey: mods.alt ?? false,
  }) as KeyboardEvent

describe('studio command registry', () => {
  it('gives every shortcut to exactly one command', () => {
    const seen = new Map<string, string>()
    for (const c of STUDIO_COMMANDS) {
      for (const s of c.shortcuts) {
        const id = `${s.mod ? 'mod+' : ''}${s.shift ? 'shift+' : ''}${s.alt ? 'alt+' : ''}${s.key}`
        expect(seen.get(id), `${id} is taken by ${seen.get(id)}`).toBeUndefined()
        seen.set(id, c.id)
      }
    }
    expect(
      STUDIO_COMMANDS.find((c) => c.shortcuts.some((s) => matches(s, key('z', { ctrl: true }))))?.id,
    ).toBe('undo')
    expect(
      STUDIO_COMMANDS.find((c) => c.shortcuts.some((s) => matches(s, key('Z', { ctrl: true, shift: true }))))
        ?.id,
    ).toBe('redo')
    expect(
      STUDIO_COMMANDS.find((c) => c.shortcuts.some((s) => matches(s, key('?', { shift: true }))))?.id,
    ).toBe('help')
  })

  it('nudges, transposes, quantizes and undoes through core operations', () => {
    const s = studio()
    s.run('transpose-up')
    s.run('nudge-right')
    expect(s.notes()).toEqual([
      [61, 10 + PPQ],
      [65, 2 * PPQ + 30],
    ])
    s.run('quantize')
    expect(s.notes()).toEqual([
      [61, PPQ],
      [65, 2 * PPQ],
    ])
    s.run('undo')
    s.run('undo')
    expect(s.notes()).toEqual([
      [61, 10],
      [65, PPQ + 30],
    ])
  })

  it('copies and pastes notes at the playhead, duplicates, and deletes the selection', () => {
    const s = studio()
    s.run('copy')
    s.ctx.transport.seek(PPQ * 4)
    s.run('paste')
    expect(s.notes()).toHaveLength(4)
    expect(s.notes().slice(2)).toEqual([
      [60, PPQ * 4],
      [64, PPQ * 5 + 20],
    ])
    s.run('duplicate')
    expect(s.notes()).toHaveLength(6)
    s.run('select-all')
    s.run('delete')
    expect(s.notes()).toEqual([])
    expect(commandById('delete').enabled(s.ctx)).toBe(false)
  })

  it('splits an audio clip at the playhead, duplicates and deletes it with the MIDI clip shortcuts', () => {
    const s = studio()
    const { doc, me } = s.ctx.session
    const vocals = addTrack(doc, me, { kind: 'audio', name: 'Vocals' })
    const hash = 'c'.repeat(64)
    addAudioAsset(doc, me, {
      hash,
      name: 'vocal.wav',
      format: 'wav',
      sampleRate: 48_000,
      channels: 1,
      frames: 192_000,
      durationSeconds: 4,
    })
    // 4 s at 120 bpm: two bars from tick 0.
    const { clipId } = addAudioClip(doc, me, vocals, {
      asset: hash,
      start: 0,
      provenance: { kind: 'import', fileName: 'vocal.wav' },
    })
    const spans = () =>
      readTrack(doc, vocals)!
        .audioClips.map((c) => [c.start, c.offset, c.length])
        .sort((a, b) => a[0]! - b[0]!)
    s.view.set({ selection: { kind: 'clips', clips: [{ trackId: vocals, clipId }] } })
    s.ctx.transport.seek(PPQ * 4)
    s.run('split')
    expect(spans()).toEqual([
      [0, 0, 2],
      [PPQ * 4, 2, 2],
    ])
    const halves = s.view.get().selection
    expect(halves.kind === 'clips' && halves.clips.length).toBe(2)
    s.run('duplicate')
    expect(spans()).toHaveLength(4)
    expect(spans()[3]).toEqual([PPQ * 12, 2, 2])
    s.run('delete')
    expect(spans()).toHaveLength(2)
    s.ctx.session.undo.undo()
    expect(spans()).toHaveLength(4)
    // Select all (no clip open in the editor) takes the audio clips with the MIDI ones.
    s.view.set({ editor: null, selection: { kind: 'none' } })
    s.run('select-all')
    s.run('delete')
    expect(spans()).toEqual([])
    expect(readTracks(doc).flatMap((t) => t.clips)).toEqual([])
  })

  it('copies, cuts and pastes audio clips at the playhead on the selected audio track, and refuses a MIDI track', () => {
    const s = studio()
    const { doc, me } = s.ctx.session
    const vocals = addTrack(doc, me, { kind: 'audio', name: 'Vocals' })
    const guitar = addTrack(doc, me, { kind: 'audio', name: 'Guitar' })
    const hash = 'd'.repeat(64)
    addAudioAsset(doc, me, {
      hash,
      name: 'vocal.wav',
      format: 'wav',
      sampleRate: 48_000,
      channels: 1,
      frames: 384_000,
      durationSeconds: 8,
    })
    const { clipId } = addAudioClip(doc, me, vocals, {
      asset: hash,
      start: PPQ * 4,
      offset: 1.5,
      length: 3,
      gainDb: -4.5,
      fadeIn: 0.25,
      fadeOut: 0.5,
      provenance: { kind: 'import', fileName: 'vocal.wav' },
    })
    const sound = (c: {
      asset: string
      offset: number
      length: number
      gainDb: number
      fadeIn: number
      fadeOut: number
    }) => [c.asset, c.offset, c.length, c.gainDb, c.fadeIn, c.fadeOut]
    const original = sound(readTrack(doc, vocals)!.audioClips[0]!)
    s.view.set({ selection: { kind: 'clips', clips: [{ trackId: vocals, clipId }] } })
    s.run('copy')

    // Onto the selected audio track, at the playhead: the same asset, span, gain and fades, a take of its own.
    s.view.set({ selectedTrackId: guitar })
    s.ctx.transport.seek(PPQ * 16)
    s.run('paste')
    const pasted = readTrack(doc, guitar)!.audioClips
    expect(pasted.map((c) => [c.start, ...sound(c)])).toEqual([[PPQ * 16, ...original]])
    expect(pasted[0]!.takeGroupId).not.toBe(readTrack(doc, vocals)!.audioClips[0]!.takeGroupId)
    expect(s.view.get().selection).toEqual({
      kind: 'clips',
      clips: [{ trackId: guitar, clipId: pasted[0]!.id }],
    })

    // A MIDI track selected: refused with a message that says what to do, and nothing written.
    s.view.set({ selectedTrackId: s.trackId })
    expect(() => s.run('paste')).toThrow(/Audio clips go on audio tracks.*select an audio track/)
    expect(readTrack(doc, s.trackId)!.clips).toHaveLength(1)

    // Cut takes the clip away and pastes it back, one undo step each.
    s.view.set({
      selection: { kind: 'clips', clips: [{ trackId: vocals, clipId }] },
      selectedTrackId: vocals,
    })
    s.run('cut')
    expect(readTrack(doc, vocals)!.audioClips).toEqual([])
    s.ctx.transport.seek(0)
    s.run('paste')
    expect(readTrack(doc, vocals)!.audioClips.map((c) => [c.start, ...sound(c)])).toEqual([[0, ...original]])
    s.ctx.session.undo.undo()
    expect(readTrack(doc, vocals)!.audioClips).toEqual([])
    s.ctx.session.undo.undo()
    expect(readTrack(doc, vocals)!.audioClips.map((c) => [c.start, ...sound(c)])).toEqual([
      [PPQ * 4, ...original],
    ])
  })
})
