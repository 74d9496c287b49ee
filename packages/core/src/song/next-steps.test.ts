import { describe, expect, it } from 'vitest'
import { addClip } from './clips'
import { createSongDoc } from './migrate'
import { nextSteps } from './next-steps'
import { addNotes } from './notes'
import { UserOrigin } from './origins'
import { readSong } from './read'
import { addTrack } from './tracks'

const me = new UserOrigin('alice')
const BAR = 1920

/** A song with tracks of the given kinds; `notes` puts `bars` bars of quarter notes around `pitch` on one. */
function song() {
  const doc = createSongDoc()
  const track = (kind: 'instrument' | 'drums', name: string) => addTrack(doc, me, { kind, name })
  const play = (trackId: string, bars: number, pitch: number) => {
    const { clipId } = addClip(doc, me, trackId, { start: 0, length: bars * BAR })
    addNotes(
      doc,
      me,
      trackId,
      clipId,
      Array.from({ length: bars * 4 }, (_, i) => ({ pitch: pitch + (i % 3), start: i * 480, duration: 480 })),
    )
  }
  return { doc, track, play, steps: () => nextSteps(readSong(doc)) }
}

describe('what next', () => {
  it('offers nothing until something plays', () => {
    const s = song()
    s.track('instrument', 'Lead')
    s.track('drums', 'Drums')
    expect(s.steps()).toEqual([])
  })

  it('an empty drum track under a finished melody: Drums first, over the melody’s bars', () => {
    const s = song()
    const lead = s.track('instrument', 'Lead')
    const drums = s.track('drums', 'Drums')
    const bass = s.track('instrument', 'Bass')
    s.play(lead, 8, 72)
    s.play(bass, 8, 40)
    const steps = s.steps()
    expect(steps[0]).toMatchObject({ action: 'drums', trackId: drums, fromTick: 0, toTick: 8 * BAR })
    // A bass plays: no Arranger. The melody is not alone: no Harmonizer.
    expect(steps.map((x) => x.action)).not.toContain('arranger')
    expect(steps.map((x) => x.action)).not.toContain('harmonizer')
  })

  it('no bass: the Arranger on the melody; a melody alone: the Harmonizer', () => {
    const s = song()
    const lead = s.track('instrument', 'Lead')
    s.play(lead, 16, 72)
    const steps = s.steps()
    expect(steps.map((x) => x.action)).toEqual(['arranger', 'harmonizer'])
    expect(steps[0]).toMatchObject({ trackId: lead, fromTick: 0, toTick: 16 * BAR })
  })

  it('a melody that stops at bar 8 while the song goes on: Continue from its bars', () => {
    const s = song()
    const lead = s.track('instrument', 'Lead')
    const bass = s.track('instrument', 'Bass')
    s.play(lead, 8, 72)
    s.play(bass, 16, 40)
    const steps = s.steps()
    const cont = steps.find((x) => x.action === 'continue')
    expect(cont).toMatchObject({ trackId: lead, fromTick: 0, toTick: 8 * BAR })
    expect(cont?.why).toBe('It stops at bar 9; the song goes on to bar 16.')
  })

  it('a melody as long as the song and past its first phrase is not offered Continue; drums that play are not offered Drums', () => {
    const s = song()
    const lead = s.track('instrument', 'Lead')
    const bass = s.track('instrument', 'Bass')
    const drums = s.track('drums', 'Drums')
    s.play(lead, 16, 72)
    s.play(bass, 16, 40)
    s.play(drums, 16, 36)
    expect(s.steps()).toEqual([])
  })

  it('keeps the list short', () => {
    const s = song()
    const lead = s.track('instrument', 'Lead')
    s.track('drums', 'Drums')
    s.play(lead, 4, 72)
    const steps = s.steps()
    expect(steps.map((x) => x.action)).toEqual(['drums', 'arranger', 'continue'])
  })
})
