import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inScale, runPlugin } from '@ensemble/plugin-sdk'
import { loadSamples } from '@ensemble/plugin-sdk/samples'
import plugin from '../src/plugin'

const melody = loadSamples().find((s) => s.name === 'melody-c-major-4-4')!

test('arpeggiates the C F G C chords of the sample, in key, one note per eighth', async () => {
  const { suggestions } = await runPlugin(plugin, { ...melody.input, variations: 1 })
  const first = suggestions[0]!
  const notes = 'notes' in first ? first.notes : []
  assert.equal(notes.length, 4 * 8)
  assert.ok(notes.every((n) => inScale(n.pitch, melody.input.song.key)))
  // Bar 1 sounds C E G (pitch classes 0 4 7), rising.
  assert.deepEqual(
    notes.slice(0, 3).map((n) => n.pitch % 12),
    [7, 0, 4],
  )
})

test('the same seed gives the same arpeggios; another seed changes the variations', async () => {
  const input = { ...melody.input, variations: 3 }
  assert.deepEqual(await runPlugin(plugin, input), await runPlugin(plugin, input))
  assert.notDeepEqual(await runPlugin(plugin, input), await runPlugin(plugin, { ...input, seed: 99 }))
})
