/*
 * Offline renders in Node through node-web-audio-api: sound where notes are, silence where none are,
 * onsets on time, mute and solo, the exact length, and sample-identical repeats for pitched presets.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { PPQ } from '../music/index'
import { ticksToSeconds } from '../music/time'
import { readSong, setMute, setSolo } from '../song/index'
import { closeTone, loadTone, renderSong } from './node'
import { BAR, buildSong, onsetAfter, rms, user } from './testing/songs'
import { songEndTick } from './timing'

const RATE = 22_050
const SILENT = 1e-3
const LOUD = 0.01

afterAll(() => closeTone())

/** 4 bars at 120 bpm (2 s a bar): keys in bars 1 and 3, a bass line (track 2) in bar 2, drums in bar 4. */
const song = () =>
  buildSong(120, [
    {
      track: { name: 'keys', instrument: 'piano' },
      clips: [
        [
          0,
          BAR,
          [
            { pitch: 60, start: 0, duration: PPQ },
            { pitch: 64, start: 0, duration: PPQ },
          ],
        ],
        [2 * BAR, BAR, [{ pitch: 67, start: PPQ, duration: PPQ }]],
      ],
    },
    {
      track: { name: 'bass', instrument: 'bass' },
      clips: [[BAR, BAR, [{ pitch: 40, start: 0, duration: PPQ }]]],
    },
    {
      track: { name: 'drums', kind: 'drums' },
      clips: [
        [
          3 * BAR,
          BAR,
          [
            { pitch: 36, start: 0, duration: 60 },
            { pitch: 38, start: PPQ, duration: 60 },
            { pitch: 42, start: 2 * PPQ, duration: 60 },
          ],
        ],
      ],
    },
  ])

// Renders take a few seconds, more on a busy machine; the budget is generous so load never fails a test.
describe('renderSong (Node)', { timeout: 30_000 }, () => {
  it('is as long as the song at its tempo, loud where notes are and silent where none sound', async () => {
    await loadTone()
    const { doc } = song()
    const snapshot = readSong(doc)
    const audio = await renderSong(snapshot, { sampleRate: RATE })
    expect(audio.channels).toHaveLength(2)
    const seconds = ticksToSeconds(songEndTick(snapshot), 120)
    expect(seconds).toBe(8)
    expect(audio.channels[0]!.length).toBe(seconds * RATE)
    const left = audio.channels[0]!
    // Bar 1: a chord on beat 1; it rings out (release under a second) before the bar ends.
    expect(rms(left, RATE, 0, 0.5)).toBeGreaterThan(LOUD)
    expect(rms(left, RATE, 1.7, 2)).toBeLessThan(SILENT)
    // Bar 2: bass; bar 3: one note on beat 2 only; bar 4: drums.
    expect(rms(left, RATE, 2, 2.5)).toBeGreaterThan(LOUD)
    expect(rms(left, RATE, 4, 4.45)).toBeLessThan(SILENT)
    expect(rms(left, RATE, 4.5, 5)).toBeGreaterThan(LOUD)
    expect(rms(left, RATE, 6, 6.4)).toBeGreaterThan(LOUD)
    // Onsets land on the note starts (within 5 ms).
    expect(onsetAfter(left, RATE, 0)).toBeLessThan(0.005)
    expect(Math.abs(onsetAfter(left, RATE, 1.9)! - 2)).toBeLessThan(0.005)
    expect(Math.abs(onsetAfter(left, RATE, 4.2)! - 4.5)).toBeLessThan(0.005)
    expect(Math.abs(onsetAfter(left, RATE, 5.8)! - 6)).toBeLessThan(0.005)
  })

  it('a muted track is silent; a solo silences the others', async () => {
    const { doc, trackIds } = song()
    const [keys, bass] = trackIds as [string, string, string]
    setMute(doc, user, bass, true)
    let left = (await renderSong(readSong(doc), { sampleRate: RATE, range: { start: 0, end: 2 * BAR } }))
      .channels[0]!
    expect(rms(left, RATE, 0, 0.5)).toBeGreaterThan(LOUD)
    expect(rms(left, RATE, 2, 4)).toBeLessThan(SILENT)

    setMute(doc, user, bass, false)
    setSolo(doc, user, bass, true)
    left = (await renderSong(readSong(doc), { sampleRate: RATE, range: { start: 0, end: 2 * BAR } }))
      .channels[0]!
    expect(rms(left, RATE, 0, 2)).toBeLessThan(SILENT)
    expect(rms(left, RATE, 2, 2.5)).toBeGreaterThan(LOUD)
    expect(keys).toBeTruthy()
  })

  it('the drum kit sounds every GM voice family on time', async () => {
    // kick, snare, rim, clap, closed / pedal / open hat, toms low and high, crash, ride, cowbell (percussion)
    const pitches = [36, 38, 37, 39, 42, 44, 46, 41, 50, 49, 51, 56]
    const { doc } = buildSong(120, [
      {
        track: { kind: 'drums' },
        clips: [[0, 3 * BAR, pitches.map((pitch, i) => ({ pitch, start: i * PPQ, duration: 30 }))]],
      },
    ])
    const left = (await renderSong(readSong(doc), { sampleRate: RATE, range: { start: 0, end: 3 * BAR } }))
      .channels[0]!
    pitches.forEach((pitch, i) => {
      const at = i * 0.5
      expect(rms(left, RATE, at, at + 0.05), `GM note ${pitch}`).toBeGreaterThan(LOUD / 2)
      // Where the previous hit has died away (cymbals ring on), the new one starts on time.
      if (rms(left, RATE, at - 0.02, at) < 1e-4) {
        expect(
          Math.abs(onsetAfter(left, RATE, at - 0.02, 1e-4)! - at),
          `GM note ${pitch} onset`,
        ).toBeLessThan(0.005)
      }
    })
  })

  it('plays what the model can hold without throwing: shared drum sources on one step, same-pitch overlaps, notes past the end', async () => {
    // Closed + open hat and pedal + closed hat (one choking hat), snare + rim (one snare body), both kicks,
    // the same pitch twice on one step (two overlapping clips), one-tick notes and a note held past its
    // clip, on drums, a monophonic metronome and every melodic preset.
    const step = PPQ / 4
    const kit = [
      [42, 46],
      [44, 42],
      [38, 37],
      [35, 36],
      [46, 42],
      [38, 40],
    ].flatMap(([a, b], i) => [
      { pitch: a!, start: i * step, duration: 30 },
      { pitch: b!, start: i * step, duration: 1 },
    ])
    const melodic = [
      { pitch: 60, start: 0, duration: 1 },
      { pitch: 60, start: 0, duration: PPQ },
      { pitch: 64, start: PPQ / 2, duration: 4 * BAR },
    ]
    const { doc } = buildSong(120, [
      {
        track: { kind: 'drums' },
        clips: [
          [0, BAR, kit],
          [0, BAR, kit],
        ],
      },
      ...['piano', 'bass', 'lead', 'pad', 'pluck'].map((instrument) => ({
        track: { instrument },
        clips: [
          [0, BAR, melodic],
          [0, BAR, melodic],
        ] as const,
      })),
    ])
    const audio = await renderSong(readSong(doc), { sampleRate: RATE, metronome: true, tailSeconds: 0.5 })
    const left = audio.channels[0]!
    for (let i = 0; i < 6; i++) {
      const at = (i * step * 60) / (120 * PPQ)
      expect(rms(left, RATE, at, at + 0.05), `step ${i}`).toBeGreaterThan(LOUD)
    }
  })

  it('clicks the metronome on every beat, louder on the downbeat', async () => {
    const { doc } = buildSong(120, [{ track: {}, clips: [[0, BAR, []]] }])
    const left = (await renderSong(readSong(doc), { sampleRate: RATE, metronome: true })).channels[0]!
    const beats = [0, 0.5, 1, 1.5].map((at) => rms(left, RATE, at, at + 0.03))
    for (const level of beats) expect(level).toBeGreaterThan(LOUD)
    expect(beats[0]).toBeGreaterThan(beats[1]! * 1.2)
    expect(rms(left, RATE, 0.2, 0.45)).toBeLessThan(SILENT)
  })

  it('renders a region from its start with progress, and pitched presets render sample-identically twice', async () => {
    const { doc } = song()
    const range = { start: 2 * BAR, end: 3 * BAR }
    const progress: number[] = []
    const a = await renderSong(readSong(doc), {
      sampleRate: RATE,
      range,
      tailSeconds: 0.5,
      onProgress: (f) => progress.push(f),
    })
    // 0, each 1-second window as the renderer reaches it (2.5 s of audio), then 1.
    expect(progress[0]).toBe(0)
    expect(progress.length).toBeGreaterThanOrEqual(4)
    expect(progress).toEqual([...progress].sort((x, y) => x - y))
    expect(progress.at(-1)).toBe(1)
    const b = await renderSong(readSong(doc), { sampleRate: RATE, range, tailSeconds: 0.5 })
    expect(a.channels[0]!.length).toBe(2.5 * RATE)
    const left = a.channels[0]!
    expect(rms(left, RATE, 0, 0.45)).toBeLessThan(SILENT)
    expect(Math.abs(onsetAfter(left, RATE, 0)! - 0.5)).toBeLessThan(0.005)
    expect(a.channels[0]).toEqual(b.channels[0])
    expect(a.channels[1]).toEqual(b.channels[1])
  })

  it('stops a render when its signal aborts, with the signal reason', async () => {
    const { doc } = buildSong(120, [
      {
        track: { instrument: 'piano' },
        clips: [[0, 8 * BAR, [{ pitch: 60, start: 0, duration: PPQ }]]],
      },
    ])
    const controller = new AbortController()
    const progress: number[] = []
    const render = renderSong(readSong(doc), {
      sampleRate: RATE,
      signal: controller.signal,
      onProgress: (f) => {
        progress.push(f)
        if (f > 0) controller.abort(new Error('cancelled by the test'))
      },
    })
    await expect(render).rejects.toThrow('cancelled by the test')
    // Aborted at the first window: nothing after it was reported.
    expect(progress.at(-1)).toBeLessThan(0.5)
    await expect(
      renderSong(readSong(doc), { sampleRate: RATE, signal: AbortSignal.abort(new Error('before')) }),
    ).rejects.toThrow('before')
  })
})
