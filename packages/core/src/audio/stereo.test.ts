/*
 * The mix's stereo image and its safety, measured on Node renders: a stereo insert on a mono instrument track
 * keeps its image through the fader (it was folded to mono at the pan), the centre keeps its level when a
 * track turns stereo, a wide mix sums to mono without losing more than MONO_LOSS_DB, and nothing, effects
 * included, passes the master limiter's ceiling.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { PPQ } from '../music/index'
import { addBus, addDevice, readSong, setSend } from '../song/index'
import { closeTone, renderSong } from './node'
import { BAR, buildSong, rms, user } from './testing/songs'

const RATE = 22_050
/** How much level a mix may lose summed to mono (L + R) / 2 against its stereo RMS: the check's tolerance. */
const MONO_LOSS_DB = 3
/** The master limiter's ceiling (limiter.ts: -0.09 dBFS). */
const CEILING = 0.99

afterAll(() => closeTone())

const db = (ratio: number) => 20 * Math.log10(ratio)

/** Correlation of two channels over the whole render: 1 is the same signal (mono), lower is a stereo image. */
const correlation = (a: Float32Array, b: Float32Array): number => {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!
    aa += a[i]! ** 2
    bb += b[i]! ** 2
  }
  return ab / Math.sqrt(aa * bb)
}

const chords = (instrument: string, volumeDb = 0) =>
  ({
    track: { instrument, volumeDb },
    clips: [
      [
        0,
        2 * BAR,
        [0, 1, 2, 3, 4, 5, 6, 7].flatMap((beat) =>
          [48, 55, 64].map((pitch) => ({ pitch, start: beat * PPQ, duration: PPQ, velocity: 110 })),
        ),
      ],
    ],
  }) as const

const render = async (doc: Parameters<typeof readSong>[0]) =>
  (await renderSong(readSong(doc), { sampleRate: RATE, tailSeconds: 1 })).channels

describe('stereo inserts and mix safety', { timeout: 90_000 }, () => {
  it('a chorus on a mono instrument track is heard in stereo; a neutral width keeps the centre level', async () => {
    const plain = buildSong(120, [chords('piano')])
    const [pl, pr] = await render(plain.doc)
    // A mono track at the centre: the same signal on both sides.
    expect(correlation(pl!, pr!)).toBeGreaterThan(0.9999)

    const chorused = buildSong(120, [chords('piano')])
    addDevice(chorused.doc, user, chorused.trackIds[0]!, { kind: 'chorus', params: { depth: 100, mix: 100 } })
    const [cl, cr] = await render(chorused.doc)
    expect(correlation(cl!, cr!)).toBeLessThan(0.98)

    // Width at 100 % is the image as it is: the track turns stereo, the centre level stays within 0.5 dB.
    const neutral = buildSong(120, [chords('piano')])
    addDevice(neutral.doc, user, neutral.trackIds[0]!, { kind: 'width', params: { width: 100 } })
    const [nl] = await render(neutral.doc)
    expect(Math.abs(db(rms(nl!, RATE, 0, 4) / rms(pl!, RATE, 0, 4)))).toBeLessThan(0.5)
  })

  it('a track panned hard left is heard on the left only (the master keeps both channels)', async () => {
    const { doc } = buildSong(120, [{ ...chords('piano'), track: { instrument: 'piano', pan: -1 } }])
    const [l, r] = await render(doc)
    expect(rms(l!, RATE, 0, 4)).toBeGreaterThan(0.01)
    expect(rms(r!, RATE, 0, 4)).toBeLessThan(rms(l!, RATE, 0, 4) / 1000)
  })

  it(`a wide mix (chorus, width 150 %, a reverb send) sums to mono losing less than ${MONO_LOSS_DB} dB`, async () => {
    const { doc, trackIds } = buildSong(120, [chords('piano'), chords('pad'), chords('pluck')])
    addDevice(doc, user, trackIds[0]!, { kind: 'chorus', params: { mix: 50 } })
    addDevice(doc, user, trackIds[1]!, { kind: 'width', params: { width: 150 } })
    const reverb = addBus(doc, user, { name: 'Reverb' })
    addDevice(doc, user, reverb, { kind: 'reverb', params: { mix: 100 } })
    for (const track of trackIds) setSend(doc, user, { from: track, to: reverb, levelDb: -6 })
    const [l, r] = await render(doc)
    expect(correlation(l!, r!)).toBeLessThan(0.999)
    const mono = l!.map((s, i) => (s + r![i]!) / 2)
    const stereo = Math.sqrt((rms(l!, RATE, 0, 5) ** 2 + rms(r!, RATE, 0, 5) ** 2) / 2)
    expect(db(rms(mono, RATE, 0, 5) / stereo)).toBeGreaterThan(-MONO_LOSS_DB)
  })

  it('no sample passes the master limiter ceiling, with effects boosting and distorting a loud mix', async () => {
    const { doc, trackIds } = buildSong(120, [chords('piano', 6), chords('bass', 6), chords('lead', 6)])
    for (const track of trackIds) {
      addDevice(doc, user, track, { kind: 'eq3', params: { low: 12, high: 12 } })
      addDevice(doc, user, track, { kind: 'distortion', params: { drive: 80, mix: 100 } })
      addDevice(doc, user, track, { kind: 'chorus' })
    }
    const reverb = addBus(doc, user, { name: 'Reverb', volumeDb: 6 })
    addDevice(doc, user, reverb, { kind: 'reverb', params: { mix: 100 } })
    for (const track of trackIds) setSend(doc, user, { from: track, to: reverb, levelDb: 0 })
    const channels = await render(doc)
    let peak = 0
    for (const channel of channels) for (const s of channel) peak = Math.max(peak, Math.abs(s))
    // Loud enough that the limiter works (well over half scale), and never past its ceiling.
    expect(peak).toBeGreaterThan(0.5)
    expect(peak).toBeLessThanOrEqual(CEILING)
  })
})
