import { gunzipSync, gzipSync } from 'node:zlib'
import type { PluginManifest } from '@ensemble/core/plugin'
import { packPlugin } from '@ensemble/plugin-sdk/archive'
import type { RunningServer } from '../../src/server/app'

/**
 * A small third-party plugin for the registry tests, packed with the SDK's own `packPlugin`: a
 * model-free generator whose bundle is plain ES-module text (what esbuild would emit), writing a
 * rising line of eighth notes across the window, one semitone per note from `start` (a parameter).
 */

export function fixtureManifest(
  id: string,
  version: string,
  overrides: Partial<PluginManifest> = {},
): PluginManifest {
  return {
    id,
    name: 'Rising line',
    version,
    hostApi: '^1.0.0',
    kind: 'generator',
    description: 'Eighth notes rising by a semitone each, from a chosen pitch.',
    author: 'Fixture Author',
    licence: 'MIT',
    trackKinds: ['instrument'],
    parameters: [{ id: 'start', type: 'int', label: 'First pitch', min: 36, max: 96, default: 60, step: 1 }],
    assets: [],
    capabilities: ['theory'],
    ...overrides,
  }
}

export function fixtureBundle(manifest: PluginManifest): string {
  return `const manifest = ${JSON.stringify(manifest)};
function suggest(input) {
  const length = input.target.toTick - input.target.fromTick;
  const notes = [];
  for (let t = 0; t + 240 <= length && notes.length < 32; t += 240)
    notes.push({ pitch: Math.min(127, input.parameters.start + notes.length), start: t, duration: 240, velocity: 96 });
  return { suggestions: [{ label: 'Rising line', notes }] };
}
const plugin = { manifest, suggest };
export { plugin as default };
`
}

export async function fixtureArchive(
  id: string,
  version: string,
  overrides: Partial<PluginManifest> = {},
): Promise<Uint8Array> {
  const manifest = fixtureManifest(id, version, overrides)
  return packPlugin({ manifest, bundle: fixtureBundle(manifest), assets: {} })
}

/**
 * The same archive with one character of the bundle changed inside the tar (same length, so the tar
 * headers stay valid), gzip'd again: what a man in the middle or a damaged mirror would produce.
 */
export function tamperBundle(archive: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('tamper with a same-length replacement')
  const tar = Buffer.from(gunzipSync(archive))
  const at = tar.indexOf(from)
  if (at < 0) throw new Error(`"${from}" is not in the archive`)
  tar.write(to, at)
  return new Uint8Array(gzipSync(tar))
}

export interface PublishAnswer {
  status: number
  body: { ok?: true; error?: string; message?: string; version?: string; archiveSha256?: string } & Record<
    string,
    unknown
  >
}

/** POST /api/plugins/publish as the CLI does it. */
export async function publish(
  server: RunningServer,
  archive: Uint8Array,
  token: string | null,
  headers: Record<string, string> = {},
): Promise<PublishAnswer> {
  const res = await fetch(`${server.url}/api/plugins/publish`, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: new Uint8Array(archive),
  })
  return { status: res.status, body: (await res.json()) as PublishAnswer['body'] }
}
