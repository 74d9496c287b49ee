import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type PluginArchive, packPlugin, readArchive } from '../archive'
import { checkProject } from '../validate'

export interface PackedProject {
  file: string
  bytes: Uint8Array
  archive: PluginArchive
  warnings: string[]
}

/**
 * Validates the project, packs it, and reads the archive back with the same `readArchive` the registry uses,
 * so what is written is known to open and the digests printed are the ones a host will recompute.
 */
export async function packProject(dir: string, outDir = join(dir, 'dist')): Promise<PackedProject> {
  const project = await checkProject(dir)
  const bytes = await packPlugin({
    manifest: project.manifest,
    bundle: project.bundle,
    assets: project.assets,
  })
  const archive = await readArchive(bytes)
  mkdirSync(outDir, { recursive: true })
  const file = resolve(outDir, `${project.manifest.id}-${project.manifest.version}.ensemble-plugin`)
  writeFileSync(file, bytes)
  return { file, bytes, archive, warnings: project.warnings }
}
