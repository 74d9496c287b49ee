/*
 * A synthesised drum kit that plays the General MIDI percussion map: membranes for kick and toms, filtered
 * noise for snare and clap, metal (FM) synths for hats and cymbals. No samples to ship or load, so the kit
 * works offline and in Node renders straight away.
 */
import type * as ToneModule from 'tone'
import { type DrumVoice, drumVoice, tomFrequency } from '../drum-map'
import { midiToFrequency } from '../timing'
import type { ToneContext, ToneLib } from '../tone'
import type { Instrument } from './instrument'

interface Disposable {
  dispose(): void
}

export const createDrumKit = (tone: ToneLib, context: ToneContext): Instrument => {
  const out = new tone.Gain({ context, gain: 1 })
  const nodes: Disposable[] = [out]
  const add = <T extends ToneModule.ToneAudioNode>(node: T, ...chain: ToneModule.ToneAudioNode[]): T => {
    let from: ToneModule.ToneAudioNode = node
    for (const next of chain) {
      from.connect(next)
      nodes.push(next)
      from = next
    }
    from.connect(out)
    nodes.push(node)
    return node
  }

  const kick = add(
    new tone.MembraneSynth({
      context,
      volume: -4,
      pitchDecay: 0.045,
      octaves: 6,
      envelope: { attack: 0.001, decay: 0.45, sustain: 0, release: 0.1 },
    }),
  )
  const snareBody = add(
    new tone.MembraneSynth({
      context,
      volume: -10,
      pitchDecay: 0.02,
      octaves: 2,
      envelope: { attack: 0.001, decay: 0.12, sustain: 0, release: 0.05 },
    }),
  )
  const snareNoise = add(
    new tone.NoiseSynth({
      context,
      volume: -10,
      noise: { type: 'white' },
      envelope: { attack: 0.001, decay: 0.18, sustain: 0, release: 0.05 },
    }),
    new tone.Filter({ context, type: 'highpass', frequency: 1200 }),
  )
  const clap = add(
    new tone.NoiseSynth({
      context,
      volume: 4,
      noise: { type: 'pink' },
      envelope: { attack: 0.004, decay: 0.22, sustain: 0, release: 0.05 },
    }),
    new tone.Filter({ context, type: 'bandpass', frequency: 1300, Q: 1.2 }),
  )
  // Closed, pedal and open hats share one voice, so a closed hat chokes a ringing open one, as on a real kit.
  const hat = add(
    new tone.MetalSynth({
      context,
      volume: -24,
      harmonicity: 5.1,
      modulationIndex: 32,
      resonance: 5000,
      octaves: 1.5,
      envelope: { attack: 0.001, decay: 0.06, release: 0.02 },
    }),
  )
  const crash = add(
    new tone.MetalSynth({
      context,
      volume: -22,
      harmonicity: 5.1,
      modulationIndex: 40,
      resonance: 3500,
      octaves: 1.5,
      envelope: { attack: 0.001, decay: 1.6, release: 0.8 },
    }),
  )
  const ride = add(
    new tone.MetalSynth({
      context,
      volume: -26,
      harmonicity: 3.1,
      modulationIndex: 20,
      resonance: 6000,
      octaves: 1,
      envelope: { attack: 0.001, decay: 0.9, release: 0.4 },
    }),
  )
  const toms = add(
    new tone.PolySynth({
      context,
      voice: tone.MembraneSynth,
      maxPolyphony: 6,
      volume: -8,
      options: {
        pitchDecay: 0.08,
        octaves: 2,
        envelope: { attack: 0.001, decay: 0.35, sustain: 0, release: 0.1 },
      },
    }),
  )

  // A monophonic voice cannot start twice at one instant (Tone refuses a second start at the same time), and
  // two GM notes can share a voice (snares 38 and 40), so a voice's hits are nudged to strictly increase.
  const last = new Map<DrumVoice, number>()
  const at = (voice: DrumVoice, time: number): number => {
    const prev = last.get(voice) ?? -1
    const t = time > prev ? time : prev + 0.001
    last.set(voice, t)
    return t
  }

  const hit = (note: number, time: number, velocity: number): void => {
    const voice = drumVoice(note)
    const t = at(voice, time)
    switch (voice) {
      case 'kick':
        kick.triggerAttackRelease(48, 0.3, t, velocity)
        break
      case 'snare':
        snareBody.triggerAttackRelease(185, 0.1, t, velocity)
        snareNoise.triggerAttackRelease(0.15, t, velocity)
        break
      case 'rim':
        snareBody.triggerAttackRelease(420, 0.03, t, velocity * 0.8)
        break
      case 'clap':
        clap.triggerAttackRelease(0.18, t, velocity)
        break
      case 'closedHat':
      case 'pedalHat':
      case 'openHat': {
        hat.envelope.decay = voice === 'openHat' ? 0.45 : 0.06
        hat.triggerAttackRelease(
          300,
          voice === 'openHat' ? 0.4 : 0.05,
          t,
          voice === 'pedalHat' ? velocity * 0.6 : velocity,
        )
        break
      }
      case 'crash':
        crash.triggerAttackRelease(300, 1.2, t, velocity)
        break
      case 'ride':
        ride.triggerAttackRelease(420, 0.6, t, velocity)
        break
      case 'tom':
        toms.triggerAttackRelease(tomFrequency(note), 0.3, t, velocity)
        break
      case 'percussion':
        toms.triggerAttackRelease(midiToFrequency(note), 0.08, t, velocity * 0.7)
        break
    }
  }

  return {
    output: out,
    // Drums ignore the note length: a hit is a hit (GM drum notes are often written with tiny durations).
    play: (pitch, time, _duration, velocity) => hit(pitch, time, velocity),
    noteOn: (pitch, time, velocity) => hit(pitch, time, velocity),
    noteOff: () => {},
    releaseAll: (time) => {
      toms.releaseAll(time)
    },
    dispose: () => {
      for (const node of nodes) node.dispose()
    },
  }
}
