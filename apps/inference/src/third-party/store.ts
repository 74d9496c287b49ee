import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { PluginArchive } from '@ensemble/plugin-sdk/archive'

/*
 * Third-party plugins on disk, under DATA_DIR/plugins: each installed version's archive as it arrived (so a
 * restarted service installs it again without fetching it from the web, after verifying it again), its
 * assets unpacked for the tfjs loader (which checks every file's SHA-256 once more as it reads), and the
 * kill list, so a yanked version stays dead across restarts.
 */

export const pluginKey = (id: string, version: string) => `${id}@${version}`

export class ArchiveStore {
  private readonly yankedFile: string

  constructor(readonly root: string) {
    this.yankedFile = path.join(root, 'yanked.json')
  }

  private folder(key: string): string {
    // Manifest ids are lower-case reverse-DNS and versions strict semver: nothing here can climb out.
    return path.join(this.root, key)
  }

  /** Where the manifest's asset paths are relative to, once `save` has unpacked them. */
  assetRoot(key: string): string {
    return path.join(this.folder(key), 'assets')
  }

  async save(key: string, archive: PluginArchive, bytes: Uint8Array): Promise<void> {
    const folder = this.folder(key)
    const assets = this.assetRoot(key)
    for (const [relative, data] of archive.assets) {
      const target = path.resolve(assets, relative)
      if (!target.startsWith(assets + path.sep)) throw new Error(`asset path ${relative} leaves its folder`)
      await mkdir(path.dirname(target), { recursive: true })
      await writeFile(target, data)
    }
    await mkdir(folder, { recursive: true })
    const file = path.join(folder, 'plugin.ensemble-plugin')
    await writeFile(`${file}.tmp`, bytes)
    await rename(`${file}.tmp`, file)
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    return readFile(path.join(this.folder(key), 'plugin.ensemble-plugin')).then(
      (data) => new Uint8Array(data),
      () => undefined,
    )
  }

  /** Whether any plugin version was ever saved here (its folder is named `id@version`). */
  async holdsAny(): Promise<boolean> {
    const names = await readdir(this.root).catch(() => [])
    return names.some((name) => name.includes('@'))
  }

  async readYanked(): Promise<string[]> {
    const text = await readFile(this.yankedFile, 'utf8').catch(() => '[]')
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : []
  }

  async writeYanked(keys: readonly string[]): Promise<void> {
    await mkdir(this.root, { recursive: true })
    await writeFile(`${this.yankedFile}.tmp`, JSON.stringify([...keys].sort()))
    await rename(`${this.yankedFile}.tmp`, this.yankedFile)
  }
}
