import {
  addClip,
  addNotes,
  addProposal,
  addTrack,
  createSongDoc,
  createUndo,
  PPQ,
  readClip,
  readProposals,
  readTrack,
  UserOrigin,
} from '@ensemble/core'
import { TRPCClientError } from '@trpc/client'
import { describe, expect, it, vi } from 'vitest'
import { shownProposal, variationNotes } from '../ai/ghost-notes'
import { auditionNotes } from '../ai/proposal-audition'
import { describeProvenance, shortHash } from '../ai/provenance'
import { explainFailure } from '../ai/suggest-failure'
import { defaultRange, fromBars, toBars } from '../ai/suggest-range'
import type { SongSession } from '../session/song-session'
import { createClockTransport } from '../transport/transport'
import { createViewStore, INITIAL_VIEW } from '../view/view-store'
import { createClipboard } from './clipboard'
import type { StudioContext } from './command'
import { matches } from './shortcut'
import { commandById, STUDIO_COMMANDS } from './studio-commands'

const BAR = PPQ * 4
const run = {
  pluginId: 'studio.ensemble.harmonizer',
  pluginVersion: '1.0.0',
  modelHash: 'sha256:0123456789abcdef',
  seed: 42,
  requestedBy: 'alice',
  runId: 'r1',
}

function studio(role: 'editor' | 'viewer' = 'editor') {
  const doc = createSongDoc()
  const me = new UserOrigin('bob')
  // The commands touch only the doc, the user and their undo; the connection is not needed here.
  const session = { projectId: 'p', doc, me, undo: createUndo(doc, me), role } as unknown as SongSession
  const view = createViewStore()
  const ctx: StudioContext = {
    session,
    view,
    clipboard: createClipboard(),
    transport: createClockTransport(doc, view),
  }
  const trackId = addTrack(doc, me, { kind: 'instrument', name: 'Keys' })
  const { clipId } = addClip(doc, me, trackId, { start: BAR, length: BAR * 2 })
  const melody = addNotes(doc, me, trackId, clipId, [
    { pitch: 72, start: 0, duration: PPQ },
    { pitch: 76, start: PPQ * 5, duration: PPQ },
  ])
  const propose = (variations = 2) =>
    addProposal(doc, run, {
      trackId,
      kind: 'notes',
      fromTick: BAR,
      toTick: BAR * 3,
      pluginId: run.pluginId,
      pluginName: 'Harmonizer',
      pluginVersion: run.pluginVersion,
      requestedByName: 'Alice',
      variations: Array.from({ length: variations }, (_, v) => ({
        label: `Harmony ${v + 1}`,
        notes: [{ pitch: 60 + v, start: 0, duration: PPQ, velocity: 80 }],
      })),
    })
  const perform = (id: string) => {
    const command = commandById(id)
    if (command.enabled(ctx)) command.perform(ctx)
    return command.enabled(ctx)
  }
  return { doc, me, ctx, view, trackId, clipId, melody, propose, perform }
}

describe('the default range', () => {
  it('widens the selected notes to whole bars, else takes the selected clip, the loop, the first clip', () => {
    const { doc, trackId, clipId, melody, view } = studio()
    const track = () => readTrack(doc, trackId)!
    view.set({ selection: { kind: 'notes', trackId, clipId, noteIds: [melody[1]!] } })
    expect(defaultRange(track(), view.get(), BAR)).toEqual({
      fromTick: BAR * 2,
      toTick: BAR * 3,
      source: 'notes',
    })
    view.set({ selection: { kind: 'clips', clips: [{ trackId, clipId }] } })
    expect(defaultRange(track(), view.get(), BAR)).toEqual({ fromTick: BAR, toTick: BAR * 3, source: 'clip' })
    view.set({ selection: { kind: 'none' }, loop: { enabled: true, start: PPQ, end: BAR * 5 + 1 } })
    expect(defaultRange(track(), view.get(), BAR)).toEqual({ fromTick: 0, toTick: BAR * 6, source: 'loop' })
    view.set({ loop: { ...INITIAL_VIEW.loop } })
    expect(defaultRange(track(), view.get(), BAR).source).toBe('clip')
  })

  it('converts to and from the bars people count', () => {
    expect(toBars({ fromTick: BAR, toTick: BAR * 3 }, BAR)).toEqual({ fromBar: 2, toBar: 3 })
    expect(fromBars(2, 3, BAR)).toMatchObject({ fromTick: BAR, toTick: BAR * 3 })
    // A backwards range still covers at least one bar.
    expect(fromBars(4, 2, BAR)).toMatchObject({ fromTick: BAR * 3, toTick: BAR * 4 })
  })
})

describe('proposals in the studio', () => {
  it('shows the newest proposal of a track unless another is focused, placed relative to the clip', () => {
    const { doc, trackId, propose } = studio()
    const first = propose()
    const second = propose(3)
    const proposals = readProposals(doc)
    expect(shownProposal(proposals, trackId, null)?.proposal.id).toBe(second)
    const focused = shownProposal(proposals, trackId, { proposalId: first, variation: 1 })!
    expect(focused.proposal.id).toBe(first)
    expect(variationNotes(focused.proposal, focused.variation, BAR)).toEqual([
      { pitch: 61, start: 0, duration: PPQ, velocity: 80 },
    ])
    expect(shownProposal(proposals, 'other-track', null)).toBeNull()
  })

  it('accepts the shown variation by command as one undo step, and steps through variations', () => {
    const { ctx, doc, trackId, clipId, view, propose, perform } = studio()
    const id = propose(3)
    view.set({ aiTrackId: trackId })
    perform('ai-next-variation')
    perform('ai-next-variation')
    expect(view.get().aiFocus).toEqual({ proposalId: id, variation: 2 })
    perform('ai-previous-variation')
    perform('ai-accept')
    expect(readProposals(doc)).toEqual([])
    const notes = readClip(doc, trackId, clipId)!.notes
    const made = notes.filter((n) => n.provenance)
    expect(made.map((n) => n.pitch)).toEqual([61])
    expect(made[0]!.provenance).toMatchObject({ requestedBy: 'alice', acceptedBy: 'bob', seed: 42 })
    // Added on top: the melody under a harmony stays.
    expect(notes.filter((n) => !n.provenance).map((n) => n.pitch)).toEqual([72, 76])
    ctx.session.undo.undo()
    expect(readClip(doc, trackId, clipId)!.notes.map((n) => n.pitch)).toEqual([72, 76])
  })

  it('lets an editor dismiss, and gives a viewer neither accept nor dismiss', () => {
    const viewer = studio('viewer')
    viewer.propose()
    viewer.view.set({ aiTrackId: viewer.trackId })
    expect(commandById('ai-accept').enabled(viewer.ctx)).toBe(false)
    expect(commandById('ai-dismiss').enabled(viewer.ctx)).toBe(false)
    const editor = studio()
    editor.propose()
    editor.view.set({ aiTrackId: editor.trackId })
    editor.perform('ai-dismiss')
    expect(readProposals(editor.doc)).toEqual([])
  })

  it('registers its shortcuts without clashing with the studio’s', () => {
    const key = (k: string, shift = false) =>
      ({ key: k, shiftKey: shift, ctrlKey: false, metaKey: false, altKey: false }) as KeyboardEvent
    const first = (e: KeyboardEvent) =>
      STUDIO_COMMANDS.find((c) => c.shortcuts.some((s) => matches(s, e)))?.id
    expect(first(key('i'))).toBe('ai-panel')
    expect(first(key('Enter', true))).toBe('ai-accept')
    expect(first(key('Enter'))).toBe('rewind')
    expect(first(key('Backspace', true))).toBe('ai-dismiss')
    expect(first(key('Backspace'))).toBe('delete')
  })

  it('toggles the panel on the open clip’s track', () => {
    const { view, trackId, clipId, perform } = studio()
    view.set({ editor: { trackId, clipId } })
    perform('ai-panel')
    expect(view.get().aiTrackId).toBe(trackId)
    perform('ai-panel')
    expect(view.get().aiTrackId).toBeNull()
  })
})

describe('auditioning a variation', () => {
  it('plays the notes on the track from the first one, and stop silences what sounds', () => {
    vi.useFakeTimers()
    const events: string[] = []
    const sink = {
      noteOn: (t: string, p: number) => events.push(`on ${t} ${p}`),
      noteOff: (t: string, p: number) => events.push(`off ${t} ${p}`),
    }
    const notes = [
      { pitch: 60, start: PPQ, duration: PPQ / 8, velocity: 90 },
      { pitch: 64, start: PPQ * 400, duration: PPQ, velocity: 90 },
    ]
    let ended = false
    const stop = auditionNotes(sink, 'keys', notes, 600, () => {
      ended = true
    })
    vi.advanceTimersByTime(120)
    expect(events).toEqual(['on keys 60', 'off keys 60'])
    vi.advanceTimersByTime(39_830) // 600 bpm: the second note sounds from 39.9 s to 40.0 s
    expect(events).toEqual(['on keys 60', 'off keys 60', 'on keys 64'])
    stop()
    expect(events.at(-1)).toBe('off keys 64')
    vi.advanceTimersByTime(60_000)
    expect(ended).toBe(false)
    vi.useRealTimers()
  })
})

describe('provenance and failures in words', () => {
  it('names the plugin, version, short model hash, seed, who asked and who accepted', () => {
    expect(shortHash('sha256:0123456789abcdef')).toBe('01234567')
    const names: Record<string, string> = { alice: 'Alice', bob: 'Bob' }
    expect(describeProvenance({ ...run, acceptedBy: 'bob' }, (id) => names[id] ?? 'someone')).toEqual([
      'Plugin studio.ensemble.harmonizer 1.0.0',
      'Model 01234567 · seed 42',
      'Asked by Alice · accepted by Bob',
    ])
  })

  it('passes the server’s words on and says when a retry can help', () => {
    const fail = (code: string, message: string) =>
      new TRPCClientError(message, { result: { error: { message, code: -1, data: { code } } } } as never)
    expect(explainFailure(fail('TOO_MANY_REQUESTS', 'The AI service is busy.'))).toEqual({
      message: 'The AI service is busy.',
      retry: true,
    })
    const busy = new TRPCClientError('You already have 4 suggestions running.', {
      result: { error: { message: '', code: -1, data: { code: 'TOO_MANY_REQUESTS', retryAfterMs: 1500 } } },
    } as never)
    expect(explainFailure(busy)).toMatchObject({ retry: true, retryInMs: 1500 })
    expect(explainFailure(fail('FORBIDDEN', 'no'))).toMatchObject({ retry: false })
    expect(explainFailure(new TRPCClientError('fetch failed'))).toMatchObject({ retry: true })
    expect(explainFailure(new TRPCClientError('fetch failed')).message).toMatch(/reach the server/)
  })
})
