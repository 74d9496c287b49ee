'use client'

import { useCallback } from 'react'
import { useStudio } from '../studio-context'
import { importAudioFile } from './audio-import'
import { uploadProgressFor } from './upload-progress'

const isMidi = (f: File) => /\.(mid|midi)$/i.test(f.name) || f.type === 'audio/midi'

/**
 * Imports dropped or picked files one after another at a position; each lands as a clip (the next one
 * after the previous on a new track), and a refusal is shown with its reason without stopping the rest.
 * MIDI files are left to the MIDI import.
 */
export function useAudioImport() {
  const studio = useStudio()
  const { session } = studio
  return useCallback(
    async (files: readonly File[], at: { trackId: string | null; tick: number }) => {
      const audio = files.filter((f) => !isMidi(f))
      for (const file of audio) {
        try {
          const placed = await importAudioFile(file, {
            doc: session.doc,
            me: session.me,
            projectId: session.projectId,
            trackId: at.trackId,
            tick: at.tick,
            progress: uploadProgressFor(session.connection.provider.awareness),
            decoded: (hash, decoded) => studio.audio.provideAudio(hash, decoded),
          })
          studio.view.set({ selectedTrackId: placed.trackId })
        } catch (err) {
          studio.report(err)
        }
      }
      return audio.length
    },
    [session, studio],
  )
}
