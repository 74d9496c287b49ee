/*
 * The offline render's voices (voice-dsp.ts) against the live ones (synths.ts, drums.ts on native nodes and
 * Tone synths): a few notes of each preset rendered both ways, compared on level (RMS), peak and brightness
 * (spectral centroid, from a Hann-windowed DFT over 2048-sample frames, weighted by frame energy).
 *
 * Tolerances: RMS and peak within TOLERANCE_DB, centroid within CENTROID_SHARE of the live one
 * (KIT_CENTROID_SHARE for the kit). The melodic voices follow the same envelope code and Web Audio's
 * oscillator and biquad formulas, so they agree far closer than that; the kit's membranes match to the
 * hundredth of a dB, its noise is a different random sequence each way, so its figures are statistics.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { closeTone, loadTone } from '../node'
import { PRESET_IDS, type PresetId } from '../presets'
import { createInstrument } from './index'
import { type VoiceNote, voiceStream } from './voice-dsp'

const RATE = 44_100
const SECONDS = 3
const TOLERANCE_DB = 1.5
const CENTROID_SHARE = 0.1
/**
 * The kit's noise: live, Tone starts each noise burst at a random offset between samples, so the live kit's
 * own centroid moves from run to run (2,670-2,956 Hz for these hits in three runs) and the seeded noise here
 * was matched to it by ear and measurement, not sample for sample.
 */
const KIT_CENTROID_SHARE = 0.3

afterAll(() => closeTone())

/** A few notes per preset: a chord, a short note, one held past a later one; the kit: one of each family. */
const NOTES: Readonly<Record<'melodic' | 'drums', readonly VoiceNote[]>> = {
  melodic: [
    { time: 0.1, duration: 0.5, pitch: 48, velocity: 0.8 },
    { time: 0.1, duration: 0.5, pitch: 55, velocity: 0.7 },
    { time: 0.1, duration: 0.5, pitch: 64, velocity: 0.7 },
    { time: 0.9, duration: 0.05, pitch: 72, velocity: 1 },
    { time: 1.2, duration: 1, pitch: 43, velocity: 0.9 },
    { time: 1.5, duration: 0.25, pitch: 67, velocity: 0.6 },
  ],
  drums: [36, 38, 42, 46, 39, 49, 45, 37, 44, 51, 36, 42].map((pitch, i) => ({
    time: 0.1 + i * 0.2,
    duration: 0.1,
    pitch,
    velocity: 0.9,
  })),
}

const notesOf = (preset: PresetId) => (preset === 'drum-kit' ? NOTES.drums : NOTES.melodic)

const live = async (preset: PresetId): Promise<Float32Array> => {
  const tone = await loadTone()
  const native = new OfflineAudioContext({ numberOfChannels: 1, length: RATE * SECONDS, sampleRate: RATE })
  const context = new tone.OfflineContext(native)
  const previous = tone.getContext()
  tone.setContext(context)
  try {
    const instrument = createInstrument(tone, context, preset)
    instrument.output.connect(context.destination)
    instrument.prepare?.(notesOf(preset).map((n) => n.pitch))
    for (const n of notesOf(preset)) instrument.play(n.pitch, n.time, n.duration, n.velocity)
    // Tone's own offline render runs its clock first: the toms' PolySynth schedules its voices on it.
    return (await context.render()).getChannelData(0)
  } finally {
    tone.setContext(previous)
  }
}

const offline = (preset: PresetId): Float32Array => {
  const stream = voiceStream(preset, notesOf(preset), RATE, 7)
  // Taken in uneven windows, as a render takes them, so a voice crossing a window's end is checked too.
  const out = new Float32Array(RATE * SECONDS)
  let at = 0
  for (const end of [RATE * 0.5, RATE * 0.51, RATE, RATE * 2.3, RATE * SECONDS]) {
    out.set(stream.take(Math.round(end)), at)
    at = Math.round(end)
  }
  return out
}

const db = (x: number) => 20 * Math.log10(x)
const rmsOf = (x: Float32Array) => Math.sqrt(x.reduce((sum, v) => sum + v * v, 0) / x.length)
const peakOf = (x: Float32Array) => x.reduce((peak, v) => Math.max(peak, Math.abs(v)), 0)

const FRAME = 2048
const BANDS = 256
const COS = Float64Array.from({ length: FRAME }, (_, i) => Math.cos((2 * Math.PI * i) / FRAME))
const SIN = Float64Array.from({ length: FRAME }, (_, i) => Math.sin((2 * Math.PI * i) / FRAME))

/** Energy-weighted mean of each frame's spectral centroid (Hz), from a Hann-windowed DFT on every 4th bin. */
const centroidOf = (x: Float32Array): number => {
  const step = FRAME / 2 / BANDS
  const frame = new Float64Array(FRAME)
  let num = 0
  let den = 0
  for (let start = 0; start + FRAME <= x.length; start += FRAME) {
    for (let i = 0; i < FRAME; i++) frame[i] = (x[start + i] as number) * (0.5 - 0.5 * (COS[i] as number))
    for (let b = 1; b < BANDS; b++) {
      const k = b * step
      let re = 0
      let im = 0
      for (let i = 0; i < FRAME; i++) {
        const at = (k * i) % FRAME
        re += (frame[i] as number) * (COS[at] as number)
        im -= (frame[i] as number) * (SIN[at] as number)
      }
      const power = re * re + im * im
      num += ((k * RATE) / FRAME) * power
      den += power
    }
  }
  return den === 0 ? 0 : num / den
}

describe('offline voices sound like the live ones', () => {
  for (const preset of PRESET_IDS) {
    const share = preset === 'drum-kit' ? KIT_CENTROID_SHARE : CENTROID_SHARE
    it(`${preset}: RMS and peak within ${TOLERANCE_DB} dB, centroid within ${share * 100} %`, async () => {
      const a = await live(preset)
      const b = offline(preset)
      const figures = {
        rmsDb: [db(rmsOf(a)), db(rmsOf(b))],
        peakDb: [db(peakOf(a)), db(peakOf(b))],
        centroidHz: [centroidOf(a), centroidOf(b)],
      }
      const [liveRms, dspRms] = figures.rmsDb as [number, number]
      const [livePeak, dspPeak] = figures.peakDb as [number, number]
      const [liveCentroid, dspCentroid] = figures.centroidHz as [number, number]
      expect(liveRms, JSON.stringify(figures)).toBeGreaterThan(-60)
      expect(Math.abs(dspRms - liveRms), JSON.stringify(figures)).toBeLessThan(TOLERANCE_DB)
      expect(Math.abs(dspPeak - livePeak), JSON.stringify(figures)).toBeLessThan(TOLERANCE_DB)
      expect(Math.abs(dspCentroid - liveCentroid) / liveCentroid, JSON.stringify(figures)).toBeLessThan(share)
    }, 60_000)
  }

  it('renders the same samples twice, noise included', () => {
    expect(offline('drum-kit')).toEqual(offline('drum-kit'))
  })
})
