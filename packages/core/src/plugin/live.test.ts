import { describe, expect, it } from 'vitest'
import { definePlugin } from './define'
import { PluginError } from './errors'
import { defineLivePlugin, type LiveNoteEvent, startLive } from './live'
import { goodManifest } from './test-support'

/** A toy partner: echoes every note it heard, one beat later, in the window that holds that beat. */
function echo(options: { slowMs?: number; stray?: boolean } = {}) {
  return defineLivePlugin({
    manifest: {
      ...goodManifest(),
      id: 'org.example.echo',
      kind: 'live',
      parameters: [{ id: 'shift', type: 'int', label: 'Shift', min: -12, max: 12, default: 0 }],
    } as const,
    start(input) {
      const heard: LiveNoteEvent[] = []
      return {
        hear: (events) => heard.push(...events.filter((e) => e.type === 'on')),
        async plan(window) {
          if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs))
          return heard
            .map((e) => ({
              pitch: e.pitch + input.parameters.shift,
              beat: e.beat + 1,
              durationBeats: 0.5,
              velocity: 90,
            }))
            .filter((n) => options.stray || (n.beat >= window.fromBeat && n.beat < window.toBeat))
        },
      }
    },
  })
}

const start = {
  song: { bpm: 120, timeSignature: { numerator: 4, denominator: 4 }, key: { tonic: 'C', mode: 'major' } },
  parameters: { shift: 7 },
  seed: 1,
}

describe('live plugins', () => {
  it('hear a player and plan the notes of a window, with their parameters', async () => {
    const run = startLive(echo(), start)
    run.hear([
      { type: 'on', pitch: 60, velocity: 100, beat: 0.5 },
      { type: 'off', pitch: 60, velocity: 0, beat: 0.9 },
    ])
    const out = await run.plan({ nowBeat: 1, fromBeat: 1.25, toBeat: 2, deadlineMs: 100 })
    expect(out).toEqual({ late: false, notes: [{ pitch: 67, beat: 1.5, durationBeats: 0.5, velocity: 90 }] })
  })

  it('never play a late answer: a plan that misses its deadline is dropped', async () => {
    const run = startLive(echo({ slowMs: 30 }), start)
    run.hear([{ type: 'on', pitch: 60, velocity: 100, beat: 0.5 }])
    const out = await run.plan({ nowBeat: 1, fromBeat: 1.25, toBeat: 2, deadlineMs: 5 })
    expect(out).toEqual({ notes: [], late: true })
  })

  it('refuse notes outside the window and malformed events', async () => {
    const run = startLive(echo({ stray: true }), start)
    run.hear([{ type: 'on', pitch: 60, velocity: 100, beat: 5 }])
    await expect(run.plan({ nowBeat: 1, fromBeat: 1, toBeat: 2, deadlineMs: 100 })).rejects.toMatchObject({
      code: 'invalid_output',
    })
    expect(() => run.hear([{ type: 'on', pitch: 200, velocity: 1, beat: 0 }])).toThrow(PluginError)
    expect(() => run.hear([{ type: 'on', pitch: 60, velocity: 1, beat: -1 }])).toThrow(PluginError)
    await expect(run.plan({ nowBeat: 3, fromBeat: 2, toBeat: 4, deadlineMs: 10 })).rejects.toMatchObject({
      code: 'invalid_input',
    })
  })

  it('are declared only as live, and only live plugins start', () => {
    expect(() =>
      definePlugin({ manifest: { ...goodManifest(), kind: 'live' }, suggest: () => ({ suggestions: [] }) }),
    ).toThrow(/defineLivePlugin/)
    const generator = { manifest: { ...echo().manifest, kind: 'generator' as const }, start: echo().start }
    expect(() => startLive(generator, start)).toThrow(/not a live plugin/)
  })
})
