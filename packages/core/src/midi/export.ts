/*
 * A song as a Standard MIDI File (format 1, 480 PPQ, so ticks are written unchanged): a conductor track with
 * tempo, time signature and key, then one track per instrument or drums track. Looping clips are unrolled
 * with `playedNotes`, since MIDI has no clips; drums go on channel 10 as General MIDI expects. AI-made notes'
 * provenance goes into text meta events (provenance.ts).
 */
import { resolvePreset } from '../audio/presets'
import { PPQ } from '../music/index'
import { playedNotes, type SongSnapshot } from '../song/index'
import { majorNameOf, patchKeySignature, signatureOf } from './keys'
import { DRUM_CHANNEL, PROGRAM_FOR_PRESET } from './programs'
import { provenanceRecords, provenanceText } from './provenance'
import { Midi } from './tonejs'

export const exportMidi = (song: SongSnapshot): Uint8Array => {
  const midi = new Midi()
  midi.header.setTempo(song.meta.bpm)
  midi.header.timeSignatures.push({
    ticks: 0,
    timeSignature: [song.meta.timeSignature.numerator, song.meta.timeSignature.denominator],
  })
  const signature = signatureOf(song.meta.key)
  if (signature !== null) {
    midi.header.keySignatures.push({
      ticks: 0,
      key: majorNameOf(signature.sharps),
      scale: signature.minor ? 'minor' : 'major',
    })
  }
  midi.header.name = song.meta.title
  midi.header.update()

  // Melodic tracks take channels 1-16 in turn, skipping the drum channel.
  let nextChannel = 0
  for (const track of song.tracks) {
    const preset = resolvePreset(track.kind, track.instrument)
    if (preset === null) continue
    const out = midi.addTrack()
    out.name = track.name
    if (preset === 'drum-kit') {
      out.channel = DRUM_CHANNEL
    } else {
      out.channel = nextChannel
      nextChannel = (nextChannel + 1) % 16
      if (nextChannel === DRUM_CHANNEL) nextChannel++
      out.instrument.number = PROGRAM_FOR_PRESET[preset]
    }
    const played = track.clips.flatMap(playedNotes)
    // The file's track 0 is the conductor (the header), so `out`, the last of midi.tracks, is file track N.
    for (const record of provenanceRecords(midi.tracks.length, track.name, played))
      midi.header.meta.push({ type: 'text', ticks: record.fromTick, text: provenanceText(record) })
    for (const note of played) {
      out.addNote({
        midi: note.pitch,
        ticks: note.start,
        durationTicks: note.duration,
        // The writer stores floor(velocity * 127); the half step keeps float error from losing one.
        velocity: (note.velocity + 0.5) / 127,
      })
    }
  }
  if (midi.header.ppq !== PPQ) throw new Error(`@tonejs/midi writes ${midi.header.ppq} PPQ, expected ${PPQ}`)
  const bytes = midi.toArray()
  return signature === null ? bytes : patchKeySignature(bytes, signature.sharps, signature.minor)
}
