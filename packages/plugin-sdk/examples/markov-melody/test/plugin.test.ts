import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inScale, runPlugin } from '@ensemble/plugin-sdk'
import { loadSamples } from '@ensemble/plugin-sdk/samples'
import plugin from '../src/plugin'

for (const sample of loadSamples().filter((s) => s.input.target.kind === 'instrument')) {
  test(`${sample.name}: in key, reproducible by seed`, async () => {
    const output = await runPlugin(plugin, sample.input)
    assert.equal(output.suggestions.length, sample.input.variations)
    for (const s of output.suggestions) {
      const notes = 'notes' in s ? s.notes : []
      assert.ok(notes.length > 0)
      assert.ok(notes.every((n) => inScale(n.pitch, sample.input.song.key)))
    }
    assert.deepEqual(await runPlugin(plugin, sample.input), output)
    assert.notDeepEqual(await runPlugin(plugin, { ...sample.input, seed: sample.input.seed + 1 }), output)
  })
}
