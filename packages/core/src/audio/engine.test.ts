/*
 * The live engine under a running transport: an edit from another replica mid-playback reschedules only
 * its clip, and the new note is heard on the next pass of the loop while the transport keeps going.
 * Driven by an offline context so the "playback" is deterministic and faster than real time.
 */
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { PPQ } from '../music/index'
import { addDevice, addNote, RemoteOrigin, setDeviceParams, UserOrigin } from '../song/index'
import type { EngineAction } from './diff'
import { AudioEngine } from './engine'
import { closeTone, loadTone } from './node'
import { BAR, buildSong, rms, user } from './testing/songs'

const RATE = 22_050

afterAll(() => closeTone())

describe('AudioEngine', { timeout: 30_000 }, () => {
  it('hears a remote edit on the next loop without stopping the transport or touching other clips', async () => {
    const tone = await loadTone()
    // Replica A plays; replica B (a bandmate) edits. 120 bpm: one 4/4 bar is 2 s.
    const {
      doc: a,
      trackIds,
      clipIds,
    } = buildSong(120, [
      {
        track: { name: 'lead', instrument: 'lead' },
        clips: [[0, BAR, [{ pitch: 72, start: 0, duration: 120 }]]],
      },
      {
        track: { name: 'bass', instrument: 'bass' },
        clips: [[0, BAR, [{ pitch: 40, start: 2 * PPQ, duration: PPQ }]]],
      },
    ])
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    b.on('update', (update: Uint8Array) => Y.applyUpdate(a, update, new RemoteOrigin('b')))
    const [lead] = trackIds as [string, string]
    const [leadClip, bassClip] = [clipIds[0]![0]!, clipIds[1]![0]!]

    const context = new tone.OfflineContext(2, 4, RATE)
    const previous = tone.getContext()
    tone.setContext(context)
    const engine = new AudioEngine(tone, a, { context, meters: false })
    tone.setContext(previous)
    const applied: EngineAction[][] = []
    engine.onActions((actions) => applied.push([...actions]))
    engine.setLoop({ start: 0, end: BAR })
    expect(engine.loop).toEqual({ start: 0, end: BAR })
    const before = new Map(engine.scheduledCounts())

    // 1.2 s into the first pass, B adds a note on beat 2 (0.5 s), which the playhead has already passed.
    let playingAtEdit = false
    context.transport.scheduleOnce(
      () => {
        playingAtEdit = engine.playing
        addNote(b, new UserOrigin('bandmate'), lead, leadClip, { pitch: 76, start: PPQ, duration: 240 })
      },
      `${Math.round(2.4 * PPQ)}i`,
    )
    engine.play(0)
    context.lookAhead = 0.05
    const left = (await context.render()).getChannelData(0)

    expect(playingAtEdit).toBe(true)
    expect(applied).toHaveLength(1)
    expect(applied[0]!.map((x) => x.type === 'scheduleClip' && x.clipId)).toEqual([leadClip])
    expect(engine.scheduledCounts().get(bassClip)).toBe(before.get(bassClip))
    expect(engine.scheduledCounts().get(leadClip)).toBe(2)
    // First pass: nothing new on beat 2. Second pass (the loop, at 2 s): the new note sounds.
    const firstPass = rms(left, RATE, 0.5, 0.6)
    const secondPass = rms(left, RATE, 2.5, 2.6)
    expect(secondPass).toBeGreaterThan(0.01)
    expect(firstPass).toBeLessThan(secondPass / 10)
    // The untouched notes play in both passes: the transport never stopped.
    expect(rms(left, RATE, 2, 2.05)).toBeGreaterThan(0.01)
    expect(rms(left, RATE, 1, 1.2)).toBeGreaterThan(0.01)
    expect(rms(left, RATE, 3, 3.2)).toBeGreaterThan(0.01)
    engine.dispose()
  })

  it('reports a compressor’s gain reduction while a note holds, and none for other effects', async () => {
    const tone = await loadTone()
    const { doc, trackIds } = buildSong(120, [{ track: { instrument: 'lead' }, clips: [] }])
    const squeeze = addDevice(doc, user, trackIds[0]!, {
      kind: 'compressor',
      params: { threshold: -60, ratio: 20, attack: 0.1, release: 1_000 },
    })
    addDevice(doc, user, trackIds[0]!, { kind: 'eq3' })
    const context = new tone.OfflineContext(1, 0.5, RATE)
    const engine = new AudioEngine(tone, doc, { context })
    expect(engine.getLevels().reductions).toEqual({ [squeeze]: 0 })
    engine.noteOn(trackIds[0]!, 48, 1)
    await context.render()
    expect(engine.getLevels().reductions[squeeze]).toBeLessThan(-6)
    engine.dispose()
  })

  it('exposes levels per track and on the master, and plays live notes', async () => {
    const tone = await loadTone()
    const { doc, trackIds } = buildSong(120, [{ track: { instrument: 'pluck' }, clips: [] }])
    const context = new tone.OfflineContext(1, 0.5, RATE)
    const engine = new AudioEngine(tone, doc, { context })
    const levels = engine.getLevels()
    expect(Object.keys(levels.tracks)).toEqual(trackIds)
    expect(levels.master).toBe(Number.NEGATIVE_INFINITY)
    // A keyboard note starts now and rings until released (pluck has no sustain, so it fades by itself).
    engine.noteOn(trackIds[0]!, 60, 1)
    engine.setMetronome(true)
    expect(engine.metronome).toBe(true)
    const left = (await context.render()).getChannelData(0)
    expect(rms(left, RATE, 0, 0.2)).toBeGreaterThan(0.01)
    engine.dispose()
  })

  it('controls the transport: play from a tick, pause, seek, stop back to the loop start, tempo from the song', async () => {
    const tone = await loadTone()
    const { doc } = buildSong(90, [{ track: { instrument: 'piano' }, clips: [] }])
    const context = new tone.OfflineContext(1, 1, RATE)
    const engine = new AudioEngine(tone, doc, { context, meters: false })
    expect(context.transport.bpm.value).toBeCloseTo(90)
    expect(context.transport.PPQ).toBe(PPQ)
    engine.play(960)
    expect(engine.playing).toBe(true)
    expect(engine.position).toBe(960)
    engine.pause()
    expect(engine.playing).toBe(false)
    engine.seek(480)
    expect(engine.position).toBe(480)
    engine.setLoop({ start: BAR, end: 2 * BAR })
    engine.stop()
    expect(engine.position).toBe(BAR)
    engine.setLoop(null)
    expect(engine.loop).toBeNull()
    engine.stop()
    expect(engine.position).toBe(0)
    engine.dispose()
  })

  it('a bandmate turning an effect knob mid-playback changes that one parameter, heard at once', async () => {
    const tone = await loadTone()
    // A high note held for two bars, through a low-pass that starts wide open.
    const { doc: a, trackIds } = buildSong(120, [
      { track: { instrument: 'lead' }, clips: [[0, 2 * BAR, [{ pitch: 96, start: 0, duration: 2 * BAR }]]] },
    ])
    const filter = addDevice(a, user, trackIds[0]!, {
      kind: 'filter',
      params: { frequency: 20_000, slope: '24' },
    })
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    b.on('update', (update: Uint8Array) => Y.applyUpdate(a, update, new RemoteOrigin('b')))
    const context = new tone.OfflineContext(1, 2, RATE)
    const previous = tone.getContext()
    tone.setContext(context)
    const engine = new AudioEngine(tone, a, { context, meters: false })
    tone.setContext(previous)
    const applied: EngineAction[][] = []
    engine.onActions((actions) => applied.push([...actions]))
    let playingAtEdit = false
    context.transport.scheduleOnce(
      () => {
        playingAtEdit = engine.playing
        setDeviceParams(b, new UserOrigin('bandmate'), filter, { frequency: 150 })
      },
      `${PPQ * 2}i`,
    )
    engine.play(0)
    context.lookAhead = 0.05
    const left = (await context.render()).getChannelData(0)
    expect(playingAtEdit).toBe(true)
    expect(applied).toEqual([
      [{ type: 'graph', action: { type: 'param', deviceId: filter, param: 'frequency', value: 150 } }],
    ])
    // Before the edit (1 s) the note is bright; after it, four octaves under the note, nearly gone.
    const open = rms(left, RATE, 0.2, 0.9)
    expect(open).toBeGreaterThan(0.01)
    expect(rms(left, RATE, 1.2, 1.9)).toBeLessThan(open / 30)
    engine.dispose()
  })
})
