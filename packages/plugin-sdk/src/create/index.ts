import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { PluginManifestSchema } from '@ensemble/core/plugin'
import { CliError } from '../cli-error'
import {
  gitignore,
  packageJson,
  pluginSource,
  readme,
  SCAFFOLD_KINDS,
  type ScaffoldKind,
  testSource,
  tsconfig,
} from './templates'

export interface CreateOptions {
  kind?: string
  id?: string
}

const SDK_PACKAGE_JSON = new URL('../../package.json', import.meta.url)

export function sdkVersion(): string {
  return (JSON.parse(readFileSync(SDK_PACKAGE_JSON, 'utf8')) as { version: string }).version
}

/** `my-arp` → `My Arp`. */
function titleOf(folder: string): string {
  return folder
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ')
}

/** Writes a plugin project into `dir` (which must not exist or be empty) and returns the files written. */
export function createProject(dir: string, options: CreateOptions = {}): { dir: string; files: string[] } {
  const root = resolve(dir)
  const folder = basename(root)
  const kind = (options.kind ?? 'generator') as ScaffoldKind
  if (!SCAFFOLD_KINDS.includes(kind))
    throw new CliError(`--kind must be one of ${SCAFFOLD_KINDS.join(', ')}; got "${options.kind}"`)
  const slug =
    folder
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'plugin'
  const id = options.id ?? `com.example.${/^[a-z]/.test(slug) ? slug : `plugin-${slug}`}`
  const idCheck = PluginManifestSchema.shape.id.safeParse(id)
  if (!idCheck.success)
    throw new CliError(`--id "${id}" ${idCheck.error.issues[0]?.message ?? 'is not a valid plugin id'}`)
  if (existsSync(root) && readdirSync(root).length > 0)
    throw new CliError(`${root} already exists and is not empty; choose a new folder`)

  const template = {
    id,
    name: titleOf(folder) || 'My Plugin',
    kind,
    packageName: slug,
    sdkVersion: sdkVersion(),
  }
  const files: Record<string, string> = {
    'package.json': packageJson(template),
    'tsconfig.json': tsconfig(),
    'src/plugin.ts': pluginSource(template),
    'test/plugin.test.ts': testSource(),
    'README.md': readme(template),
    '.gitignore': gitignore(),
    'assets/.gitkeep': '',
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return { dir: root, files: Object.keys(files) }
}
