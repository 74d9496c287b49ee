import { addClip, addNotes, addTrack } from '@ensemble/core'
import { parameterDefaults } from '@ensemble/core/plugin'
import { startTestInference, type TestInference } from '@ensemble/inference/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { suggestWindow } from '../src/studio/ai/suggest-range'
import { type Caller, signUp } from './helpers/api'
import { isSaved, openSongAs } from './helpers/clients'
import { openTestDatabase } from './helpers/db'
import { seedProject } from './helpers/projects'
import { collabUrl, startTestServer } from './helpers/server'
import { waitFor } from './helpers/wait'

/*
 * Issue 19, "defaults that produce nothing": every first-party plugin, asked the way the AI panel asks with
 * the plugin's default settings about a typical one-bar clip (the selected clip is the panel's default
 * range), returns something to accept. Through the server's ai.suggest, with the real inference service
 * and every committed model.
 */

const BAR = 1920
const CLIP = { fromTick: 0, toTick: BAR }

// A one-bar tune in C major on 8ths, and a one-bar rock beat (kick, snare, closed hats on 8ths).
const tune = [72, 71, 72, 74, 76, 74, 72, 67].map((pitch, i) => ({ pitch, start: i * 240, duration: 240 }))
const beat = [
  ...[0, 960].map((start) => ({ pitch: 36, start, duration: 120 })),
  ...[480, 1440].map((start) => ({ pitch: 38, start, duration: 120 })),
  ...Array.from({ length: 8 }, (_, i) => ({ pitch: 42, start: i * 240, duration: 120 })),
]

let database: Database
let inference: TestInference
let server: RunningServer
let editor: Caller
let projectId: string
const trackOf: Record<'instrument' | 'drums', string> = { instrument: '', drums: '' }

beforeAll(async () => {
  ;[database, inference] = await Promise.all([
    openTestDatabase('pglite'),
    startTestInference({ models: ['continue', 'drums', 'harmonizer'] }),
  ])
  server = await startTestServer(database, {
    inferenceUrl: inference.url,
    inferenceSecret: inference.secret,
  })
  editor = await signUp(server.url, 'editor')
  projectId = await seedProject(database.db, [{ userId: editor.userId, role: 'owner' }])
  const song = await openSongAs(collabUrl(server), editor, projectId)
  for (const [kind, notes] of [
    ['instrument', tune],
    ['drums', beat],
  ] as const) {
    const trackId = addTrack(song.doc, song.me, { kind, name: kind === 'drums' ? 'Drums' : 'Lead' })
    const { clipId } = addClip(song.doc, song.me, trackId, { start: 0, length: BAR })
    addNotes(song.doc, song.me, trackId, clipId, notes)
    trackOf[kind] = trackId
  }
  await waitFor(() => isSaved(song), 'clips saved on the server')
  song.destroy()
}, 180_000)

afterAll(async () => {
  await server?.close()
  await inference?.close()
  await database?.close()
})

describe('every first-party plugin with its defaults on a typical clip', () => {
  it('offers the five first-party plugins', async () => {
    const ids = await Promise.all(
      (['instrument', 'drums'] as const).map(async (trackKind) =>
        (await editor.api.ai.plugins.query({ projectId, trackKind })).plugins.map((p) => p.id),
      ),
    )
    expect(ids.flat().sort()).toEqual([
      'studio.ensemble.arranger',
      'studio.ensemble.background',
      'studio.ensemble.continue',
      'studio.ensemble.drums',
      'studio.ensemble.harmonizer',
    ])
  })

  for (const [trackKind, pluginId] of [
    ['instrument', 'studio.ensemble.continue'],
    ['instrument', 'studio.ensemble.harmonizer'],
    ['instrument', 'studio.ensemble.arranger'],
    ['instrument', 'studio.ensemble.background'],
    ['drums', 'studio.ensemble.drums'],
  ] as const) {
    it(`${pluginId} returns a suggestion to accept`, async () => {
      const listed = await editor.api.ai.plugins.query({ projectId, trackKind })
      const plugin = listed.plugins.find((p) => p.id === pluginId)
      expect(plugin, `${pluginId} is offered`).toBeDefined()
      const parameters = parameterDefaults(plugin!.parameters)
      const window = suggestWindow(CLIP, plugin!, parameters, BAR)
      // Several seeds: "had no idea" must not be a matter of luck either.
      for (const seed of [1, 2, 3]) {
        const result = await editor.api.ai.suggest.mutate({
          projectId,
          trackId: trackOf[trackKind],
          ...window,
          pluginId,
          parameters,
          seed,
          variations: 2,
        })
        const written = result.suggestions.map((s) =>
          'notes' in s ? s.notes.length : s.tracks.reduce((n, t) => n + t.notes.length, 0),
        )
        expect(
          written.some((n) => n > 0),
          `${pluginId}, seed ${seed}: ${JSON.stringify(written)}`,
        ).toBe(true)
      }
    })
  }

  it('asks a generator about the clip and the bars it writes after it', () => {
    const generator = { kind: 'generator' as const }
    expect(suggestWindow(CLIP, generator, { bars: 4 }, BAR)).toEqual({ fromTick: 0, toTick: 5 * BAR })
    expect(suggestWindow(CLIP, { kind: 'harmonizer' }, { bars: 4 }, BAR)).toEqual(CLIP)
  })
})
