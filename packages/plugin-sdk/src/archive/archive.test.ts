import { gunzipSync, gzipSync } from 'node:zlib'
import type { PluginManifest } from '@ensemble/core/plugin'
import { Header, Parser, type ReadEntry } from 'tar'
import { describe, expect, it } from 'vitest'
import { ArchiveError, type ArchiveErrorCode, packPlugin, readArchive, sha256 } from './index'
import { writeTar } from './tar'

const encoder = new TextEncoder()
const modelJson = encoder.encode(JSON.stringify({ format: 'layers-model', weightsManifest: [] }))
const weights = new Uint8Array(4096).map((_, i) => (i * 7) % 251)
const bundle =
  'const plugin = { manifest: {}, suggest() { return { suggestions: [] } } }\nexport default plugin\n'

function manifest(): PluginManifest {
  return {
    id: 'org.example.tiny',
    name: 'Tiny',
    version: '1.0.0',
    hostApi: '^1.0.0',
    kind: 'generator',
    description: 'A test plugin.',
    author: 'Example',
    licence: 'MIT',
    trackKinds: ['instrument'],
    parameters: [],
    assets: [
      {
        id: 'tiny',
        format: 'tfjs-layers',
        path: 'tiny/model.json',
        sha256: sha256(modelJson),
        weights: [{ path: 'group1-shard1of1.bin', sha256: sha256(weights) }],
      },
    ],
    capabilities: ['models'],
  }
}

const goodFiles = () => ({
  manifest: manifest(),
  bundle,
  assets: { 'tiny/model.json': modelJson, 'tiny/group1-shard1of1.bin': weights },
})

interface Entry {
  path: string
  data: Uint8Array
}

/** The archive's entries in order, read without any of readArchive's checks, so a test can bend one. */
async function entriesOf(archive: Uint8Array): Promise<Entry[]> {
  const entries: Entry[] = []
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        const chunks: Buffer[] = []
        entry.on('data', (c: Buffer) => chunks.push(c))
        entry.on('end', () => entries.push({ path: entry.path, data: Buffer.concat(chunks) }))
      },
    })
    parser.on('error', reject)
    parser.on('close', () => resolve())
    parser.end(gunzipSync(archive))
  })
  return entries
}

const rebuild = (entries: Entry[]) => new Uint8Array(gzipSync(writeTar(entries)))

async function bent(change: (entries: Entry[]) => Entry[]): Promise<Uint8Array> {
  return rebuild(change(await entriesOf(await packPlugin(goodFiles()))))
}

/** A header for an entry writeTar never makes (a link, a path with ..), followed by its data blocks. */
function rawEntry(
  fields: { path: string; type: 'File' | 'SymbolicLink' | 'Link'; linkpath?: string },
  data = new Uint8Array(),
): Uint8Array {
  const block = Buffer.alloc(512)
  new Header({ ...fields, mode: 0o644, size: data.length, mtime: new Date(0) }).encode(block, 0)
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512)
  body.set(data)
  return Buffer.concat([block, body])
}

async function withRaw(raw: Uint8Array): Promise<Uint8Array> {
  const tar = Buffer.from(writeTar(await entriesOf(await packPlugin(goodFiles()))))
  // Insert before the two end-of-archive blocks.
  return new Uint8Array(
    gzipSync(Buffer.concat([tar.subarray(0, tar.length - 1024), raw, tar.subarray(tar.length - 1024)])),
  )
}

async function refusal(bytes: Uint8Array, limits?: { maxBytes?: number }): Promise<ArchiveError> {
  try {
    await readArchive(bytes, limits)
  } catch (error) {
    expect(error).toBeInstanceOf(ArchiveError)
    return error as ArchiveError
  }
  throw new Error('the archive was accepted')
}

async function expectRefused(
  bytes: Uint8Array,
  code: ArchiveErrorCode,
  message: RegExp,
  limits?: { maxBytes?: number },
) {
  const error = await refusal(bytes, limits)
  expect(error.code).toBe(code)
  expect(error.message).toMatch(message)
}

const flip = (data: Uint8Array, at: number): Uint8Array => {
  const copy = new Uint8Array(data)
  copy[at] = (copy[at] ?? 0) ^ 0x01
  return copy
}

describe('packPlugin and readArchive', () => {
  it('round-trips the manifest, the bundle and every asset with their digests', async () => {
    const archive = await packPlugin(goodFiles())
    const read = await readArchive(archive)
    expect(read.manifest).toEqual(manifest())
    expect(read.bundle).toBe(bundle)
    expect(read.bundleSha256).toBe(sha256(bundle))
    expect([...read.assets.keys()]).toEqual(['tiny/model.json', 'tiny/group1-shard1of1.bin'])
    expect(read.assets.get('tiny/group1-shard1of1.bin')).toEqual(weights)
    expect(read.integrity.assets.map((a) => a.bytes)).toEqual([modelJson.length, weights.length])
    expect(read.archiveSha256).toBe(sha256(archive))
    expect((await entriesOf(archive)).map((e) => e.path)).toEqual([
      'manifest.json',
      'integrity.json',
      'plugin.js',
      'assets/tiny/model.json',
      'assets/tiny/group1-shard1of1.bin',
    ])
  })

  it('packs the same files to the same bytes', async () => {
    expect(sha256(await packPlugin(goodFiles()))).toBe(sha256(await packPlugin(goodFiles())))
  })

  it('packs a model-free plugin and a path too long for a plain tar header', async () => {
    const long = `${'deep/'.repeat(38)}model.json`
    const m = manifest()
    m.assets = [{ ...m.assets[0]!, path: long }]
    const files = {
      manifest: m,
      bundle,
      assets: { [long]: modelJson, [`${'deep/'.repeat(38)}group1-shard1of1.bin`]: weights },
    }
    expect((await readArchive(await packPlugin(files))).assets.get(long)).toEqual(modelJson)
    const plain = { ...manifest(), assets: [], capabilities: [] }
    expect((await readArchive(await packPlugin({ manifest: plain, bundle, assets: {} }))).assets.size).toBe(0)
  })

  it('refuses to pack an asset that does not match its manifest digest, or one the manifest omits', async () => {
    await expect(
      packPlugin({
        ...goodFiles(),
        assets: { ...goodFiles().assets, 'tiny/model.json': flip(modelJson, 0) },
      }),
    ).rejects.toMatchObject({ code: 'hash_mismatch' })
    await expect(
      packPlugin({ ...goodFiles(), assets: { ...goodFiles().assets, 'x.bin': weights } }),
    ).rejects.toMatchObject({ code: 'unexpected_entry' })
    await expect(
      packPlugin({ ...goodFiles(), assets: { 'tiny/model.json': modelJson } }),
    ).rejects.toMatchObject({ code: 'missing_entry' })
    await expect(
      packPlugin({ ...goodFiles(), manifest: { ...manifest(), version: 'v1' } }),
    ).rejects.toMatchObject({ code: 'invalid_manifest' })
  })
})

describe('readArchive refuses tampering', () => {
  it('a changed bundle byte', async () => {
    const bytes = await bent((es) =>
      es.map((e) => (e.path === 'plugin.js' ? { ...e, data: flip(e.data, 10) } : e)),
    )
    await expectRefused(bytes, 'hash_mismatch', /plugin\.js has SHA-256 [0-9a-f]{64}/)
  })

  it('a changed asset byte, even with integrity.json rewritten to match', async () => {
    const bytes = await bent((es) => {
      const changed = flip(weights, 100)
      return es.map((e) => {
        if (e.path === 'assets/tiny/group1-shard1of1.bin') return { ...e, data: changed }
        if (e.path !== 'integrity.json') return e
        const integrity = JSON.parse(new TextDecoder().decode(e.data))
        integrity.assets[1].sha256 = sha256(changed)
        return { ...e, data: encoder.encode(JSON.stringify(integrity)) }
      })
    })
    await expectRefused(bytes, 'hash_mismatch', /asset file "tiny\/group1-shard1of1\.bin".*the manifest pins/)
  })

  it('a changed manifest', async () => {
    const bytes = await bent((es) =>
      es.map((e) => {
        if (e.path !== 'manifest.json') return e
        const m = JSON.parse(new TextDecoder().decode(e.data))
        m.kind = 'arranger'
        return { ...e, data: encoder.encode(JSON.stringify(m)) }
      }),
    )
    await expectRefused(bytes, 'hash_mismatch', /manifest\.json has SHA-256/)
  })

  it('an invalid manifest', async () => {
    const bytes = await bent((es) =>
      es.map((e) => (e.path === 'manifest.json' ? { ...e, data: encoder.encode('{"id":"Nope"}') } : e)),
    )
    await expectRefused(bytes, 'invalid_manifest', /id: must be a reverse-DNS id/)
  })

  it.each(['manifest.json', 'integrity.json', 'plugin.js', 'assets/tiny/model.json'])(
    'a missing %s',
    async (name) => {
      const bytes = await bent((es) => es.filter((e) => e.path !== name))
      await expectRefused(bytes, 'missing_entry', new RegExp(name.replace('.', '\\.')))
    },
  )

  it('an extra entry, and the same entry twice', async () => {
    await expectRefused(
      await bent((es) => [...es, { path: 'assets/tiny/extra.bin', data: weights }]),
      'unexpected_entry',
      /assets\/tiny\/extra\.bin/,
    )
    await expectRefused(
      await bent((es) => [...es, es.find((e) => e.path === 'plugin.js')!]),
      'unexpected_entry',
      /"plugin\.js" appears twice/,
    )
  })

  it('path traversal and absolute paths', async () => {
    await expectRefused(
      await withRaw(rawEntry({ path: '../escape.js', type: 'File' }, weights)),
      'unsafe_entry',
      /"\.\.\/escape\.js"/,
    )
    await expectRefused(
      await withRaw(rawEntry({ path: 'assets/../../x', type: 'File' }, weights)),
      'unsafe_entry',
      /assets\/\.\.\/\.\.\/x/,
    )
    await expectRefused(
      await withRaw(rawEntry({ path: '/etc/passwd', type: 'File' }, weights)),
      'unsafe_entry',
      /\/etc\/passwd/,
    )
  })

  it('symbolic and hard links', async () => {
    await expectRefused(
      await withRaw(
        rawEntry({ path: 'assets/tiny/link.bin', type: 'SymbolicLink', linkpath: '/etc/passwd' }),
      ),
      'unsafe_entry',
      /is a SymbolicLink to "\/etc\/passwd"; only plain files/,
    )
    await expectRefused(
      await withRaw(rawEntry({ path: 'assets/tiny/hard.bin', type: 'Link', linkpath: 'plugin.js' })),
      'unsafe_entry',
      /is a Link/,
    )
  })

  it('an archive over the size limit, and a gzip bomb', async () => {
    const archive = await packPlugin(goodFiles())
    await expectRefused(archive, 'too_large', /the limit is 100 bytes/, { maxBytes: 100 })
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(64 * 1024 * 1024)))
    await expectRefused(bomb, 'too_large', /unpacks to more than/)
  })

  it('an oversize bundle', async () => {
    const big = encoder.encode(`// ${'x'.repeat(1024 * 1024)}`)
    const bytes = await bent((es) => es.map((e) => (e.path === 'plugin.js' ? { ...e, data: big } : e)))
    await expectRefused(bytes, 'too_large', /plugin\.js is \d+ bytes; the limit is 1048576/)
    await expect(packPlugin({ ...goodFiles(), bundle: new TextDecoder().decode(big) })).rejects.toMatchObject(
      { code: 'too_large' },
    )
  })

  it('gzip garbage, a truncated archive, and plain text', async () => {
    const archive = await packPlugin(goodFiles())
    await expectRefused(flip(archive, 40), 'corrupt', /not a plugin archive/)
    await expectRefused(archive.subarray(0, archive.length / 2), 'corrupt', /not a plugin archive/)
    await expectRefused(encoder.encode('hello'), 'corrupt', /not gzip-compressed/)
    await expectRefused(
      new Uint8Array(gzipSync(encoder.encode('not a tar at all'.repeat(100)))),
      'corrupt',
      /not a plugin archive/,
    )
  })

  it('an integrity record that lists other files', async () => {
    const bytes = await bent((es) =>
      es.map((e) => {
        if (e.path !== 'integrity.json') return e
        const integrity = JSON.parse(new TextDecoder().decode(e.data))
        integrity.assets.pop()
        return { ...e, data: encoder.encode(JSON.stringify(integrity)) }
      }),
    )
    await expectRefused(bytes, 'invalid_integrity', /lists 1 asset files; the manifest names 2/)
  })
})
