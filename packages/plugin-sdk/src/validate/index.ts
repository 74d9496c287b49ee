import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { checkManifest, PLUGIN_HOST_API, type PluginManifest, versionSatisfies } from '@ensemble/core/plugin'
import { MAX_BUNDLE_BYTES, sha256 } from '../archive'
import { declaredAssetFiles } from '../archive/integrity'
import { CliError } from '../cli-error'
import { bundlePlugin } from '../sandbox/bundle'
import { embeddedManifest } from './embedded'

/*
 * A plugin project as `create` lays it out: package.json, src/plugin.ts (manifest and suggest), assets/ (the
 * files the manifest's assets name) and optionally samples/ (extra songs for `test`).
 */
export const ENTRY = 'src/plugin.ts'
export const ASSETS = 'assets'

export interface CheckedProject {
  dir: string
  manifest: PluginManifest
  bundle: string
  /** Keyed by path relative to assets/, exactly the files the manifest names. */
  assets: Record<string, Uint8Array>
  /** Not fatal: files in assets/ that the manifest does not name (they are left out of the archive). */
  warnings: string[]
}

function filesUnder(root: string, dir = root): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory()
      ? filesUnder(root, path)
      : [relative(root, path).split('\\').join('/')]
  })
}

/**
 * Builds the bundle and checks everything a host will check: the manifest and its parameters, the host API
 * range against this SDK's host, and every asset file against the digest the manifest pins. Every problem
 * found is reported at once, as one CliError with a line each.
 */
export async function checkProject(dir: string): Promise<CheckedProject> {
  if (!existsSync(join(dir, 'package.json')))
    throw new CliError(
      `no package.json in ${dir}: run this inside a plugin project (\`ensemble-plugin create <dir>\` makes one)`,
    )
  const entry = join(dir, ENTRY)
  if (!existsSync(entry)) throw new CliError(`no ${ENTRY} in ${dir}: the plugin's code and manifest go there`)

  let bundle: string
  try {
    bundle = await bundlePlugin(entry)
  } catch (error) {
    throw new CliError(`${ENTRY} does not build`, [(error as Error).message])
  }
  const bundleBytes = Buffer.byteLength(bundle)
  if (bundleBytes > MAX_BUNDLE_BYTES)
    throw new CliError(
      `the bundle is ${bundleBytes} bytes; the limit is ${MAX_BUNDLE_BYTES}: import less (models belong in assets/)`,
    )

  const checked = checkManifest(await embeddedManifest(bundle))
  if (!checked.ok)
    throw new CliError(
      `invalid manifest in ${ENTRY}`,
      checked.issues.map((i) => `${i.path ? `manifest.${i.path}` : 'manifest'}: ${i.message}`),
    )
  const manifest = checked.manifest
  const problems: string[] = []
  if (!versionSatisfies(PLUGIN_HOST_API, manifest.hostApi))
    problems.push(
      `manifest.hostApi: "${manifest.hostApi}" does not include host API ${PLUGIN_HOST_API}, which this SDK and the studio implement; use "^${PLUGIN_HOST_API}"`,
    )
  manifest.assets.forEach((asset, i) => {
    if (asset.format === 'tfjs-functional')
      problems.push(
        `manifest.assets[${i}].format: tfjs-functional needs host code a sandboxed plugin cannot ship; export the model as tfjs-layers or tfjs-graph`,
      )
  })

  const assets: Record<string, Uint8Array> = {}
  const assetsDir = join(dir, ASSETS)
  const declared = declaredAssetFiles(manifest)
  for (const file of declared) {
    const path = join(assetsDir, file.path)
    if (!existsSync(path)) {
      problems.push(`${ASSETS}/${file.path}: missing; the manifest names it`)
      continue
    }
    const data = new Uint8Array(readFileSync(path))
    const digest = sha256(data)
    if (digest !== file.sha256)
      problems.push(`${ASSETS}/${file.path}: SHA-256 is ${digest}; the manifest pins ${file.sha256}`)
    assets[file.path] = data
  }
  if (problems.length > 0) throw new CliError(`${manifest.id} ${manifest.version} is not valid`, problems)

  const named = new Set(declared.map((f) => f.path))
  const warnings = filesUnder(assetsDir)
    .filter((f) => !named.has(f) && f !== '.gitkeep')
    .map((f) => `${ASSETS}/${f} is not named in the manifest; it is left out of the archive`)
  return { dir, manifest, bundle, assets, warnings }
}
