import { describe, expect, it } from 'vitest'
import { DRUM_SOUNDS, drumName, drumShortName, drumSound, drumVoice, tomFrequency } from './drums'

describe('the drum map', () => {
  it('names every General MIDI percussion note, 35 to 81', () => {
    for (let note = 35; note <= 81; note++) expect(drumSound(note), `note ${note}`).toBeDefined()
    expect(drumName(42)).toBe('Closed Hi-Hat')
    expect(drumName(81)).toBe('Open Triangle')
    expect(new Set(DRUM_SOUNDS.map((d) => d.note)).size).toBe(DRUM_SOUNDS.length)
  })

  it("plays the Groove MIDI kit's articulations as the drums they belong to (the dataset's mapping)", () => {
    expect([22, 26, 58].map(drumShortName)).toEqual(['Closed hat edge', 'Open hat edge', 'Floor tom rim'])
    expect([22, 26, 58].map(drumVoice)).toEqual(['closedHat', 'openHat', 'tom'])
    // The rim of the floor tom sounds at the floor tom's pitch, not 15 notes higher.
    expect(tomFrequency(58)).toBe(tomFrequency(43))
  })

  it('plays a note outside the map as short percussion, and says so', () => {
    expect(drumVoice(90)).toBe('percussion')
    expect(drumShortName(90)).toBe('Percussion 90')
  })
})
