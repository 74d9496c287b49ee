import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LIVE_HOST_LOOP, startLive } from '@ensemble/core/plugin'
import { build } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { type FetchedModel, loadInPagePartner } from './in-page.js'
import { D_MAJOR_PHRASE, playedEvents, RELEASE } from './phrases.js'
import { rehearse } from './rehearsal.js'

/*
 * The studio's partner worker imports in-page.ts: it must bundle for a browser with nothing from Node, and
 * build partners from the same committed weights (as the worker fetches them) that refuse altered bytes.
 */

beforeAll(async () => {
  await initBackend()
})

const here = path.dirname(fileURLToPath(import.meta.url))

function fetched(model: string): FetchedModel {
  const dir = path.join(here, '..', model, 'weights')
  const bytes = (file: string) => {
    const b = readFileSync(path.join(dir, file))
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
  }
  return {
    weightsJson: JSON.parse(readFileSync(path.join(dir, 'weights.json'), 'utf8')),
    modelJson: bytes('model.json'),
    weights: bytes('model.weights.bin'),
  }
}

describe('the model partners in the page', () => {
  it('bundles for the browser with no Node module reachable', async () => {
    const result = await build({
      entryPoints: [path.join(here, 'in-page.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    })
    expect(result.errors).toEqual([])
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((i) => i.startsWith('node:') || /\/(fs|path|crypto|url)\.js$/.test(i))).toEqual([])
    expect(inputs.some((i) => i.endsWith('live/call-response.ts'))).toBe(true)
    const code = result.outputFiles[0]?.text ?? ''
    expect(code).not.toMatch(/from ["']node:/)
  }, 60_000)

  it('answers a phrase with call and response built from the fetched files', async () => {
    const partner = await loadInPagePartner('call-response', fetched('continue'))
    const run = startLive(
      partner.plugin,
      {
        song: {
          bpm: 120,
          timeSignature: { numerator: 4, denominator: 4 },
          key: { tonic: 'D', mode: 'major' },
        },
        parameters: {},
        seed: 1,
      },
      // The run's clock stands still: no window is late, whatever the machine's load.
      { models: partner.runner, now: () => 0 },
    )
    const result = await rehearse(run, playedEvents(D_MAJOR_PHRASE), {
      bpm: 120,
      ...LIVE_HOST_LOOP,
      untilBeat: 16,
      computeCounts: false,
    })
    expect(result.late).toBe(0)
    expect(result.notes.length).toBeGreaterThanOrEqual(4)
    const first = Math.min(...result.notes.map((n) => n.beat))
    expect(first).toBeGreaterThan(7 + RELEASE)
    expect(first - (7 + RELEASE)).toBeLessThanOrEqual(1)
    expect(partner.modelHash).toMatch(/^[0-9a-f]{64}$/)
  }, 120_000)

  it('refuses weights whose bytes do not match weights.json', async () => {
    const files = fetched('drums')
    const altered = new Uint8Array(files.weights.slice(0))
    altered[0] = (altered[0] ?? 0) ^ 1
    await expect(loadInPagePartner('drummer', { ...files, weights: altered.buffer })).rejects.toThrow(
      /SHA-256/,
    )
    await expect(loadInPagePartner('drummer', files)).resolves.toHaveProperty('plugin')
  })
})
