import { describe, expect, it } from 'vitest'
import { createSongDoc } from './migrate'
import { setColour, setInstrument, setMute, setPan, setSolo, setVolume } from './mixer'
import { UserOrigin } from './origins'
import { readTrack } from './read'
import { expectRefused } from './testing/harness'
import { addTrack } from './tracks'

const alice = new UserOrigin('alice')

describe('mixer', () => {
  const setup = () => {
    const doc = createSongDoc()
    return { doc, id: addTrack(doc, alice, { kind: 'instrument' }) }
  }

  it('sets volume, pan, mute, solo, instrument and colour', () => {
    const { doc, id } = setup()
    setVolume(doc, alice, id, -12.5)
    setPan(doc, alice, id, -0.25)
    setMute(doc, alice, id, true)
    setSolo(doc, alice, id, true)
    setInstrument(doc, alice, id, 'synth.pad')
    setColour(doc, alice, id, '#123abc')
    expect(readTrack(doc, id)).toMatchObject({
      volumeDb: -12.5,
      pan: -0.25,
      mute: true,
      solo: true,
      instrument: 'synth.pad',
      colour: '#123abc',
    })
    setInstrument(doc, alice, id, null)
    expect(readTrack(doc, id)?.instrument).toBeNull()
  })

  it('refuses out-of-range values and unknown tracks', () => {
    const { doc, id } = setup()
    expectRefused(doc, 'invalid_value', () => setVolume(doc, alice, id, 7))
    expectRefused(doc, 'invalid_value', () => setVolume(doc, alice, id, -61))
    expectRefused(doc, 'invalid_value', () => setVolume(doc, alice, id, Number.NEGATIVE_INFINITY))
    expectRefused(doc, 'invalid_value', () => setPan(doc, alice, id, 1.01))
    expectRefused(doc, 'invalid_value', () => setMute(doc, alice, id, 1 as unknown as boolean))
    expectRefused(doc, 'invalid_value', () => setSolo(doc, alice, id, 'yes' as unknown as boolean))
    expectRefused(doc, 'invalid_value', () => setInstrument(doc, alice, id, ''))
    expectRefused(doc, 'invalid_value', () => setColour(doc, alice, id, '#FFF'))
    expectRefused(doc, 'track_not_found', () => setVolume(doc, alice, 'nope', 0))
  })
})
