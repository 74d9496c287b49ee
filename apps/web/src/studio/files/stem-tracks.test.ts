import { describe, expect, it } from 'vitest'
import { stemTrackIds } from './stem-tracks'

const SONG = ['drums', 'bass', 'voice']

describe('stemTrackIds', () => {
  it('renders the selected track when no clips are selected', () => {
    expect(stemTrackIds({ selection: { kind: 'none' }, selectedTrackId: 'bass' }, SONG)).toEqual(['bass'])
  })

  it('renders the tracks of the selected clips, once each, in song order', () => {
    const selection = {
      kind: 'clips' as const,
      clips: [
        { trackId: 'voice', clipId: 'a' },
        { trackId: 'drums', clipId: 'b' },
        { trackId: 'voice', clipId: 'c' },
      ],
    }
    expect(stemTrackIds({ selection, selectedTrackId: 'bass' }, SONG)).toEqual(['drums', 'voice'])
  })

  it('leaves out a track a bandmate deleted, and renders nothing when nothing is selected', () => {
    expect(stemTrackIds({ selection: { kind: 'none' }, selectedTrackId: 'gone' }, SONG)).toEqual([])
    expect(stemTrackIds({ selection: { kind: 'none' }, selectedTrackId: null }, SONG)).toEqual([])
  })
})
