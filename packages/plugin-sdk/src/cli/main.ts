import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { Command, CommanderError } from 'commander'
import { readArchive } from '../archive'
import { CliError } from '../cli-error'
import { createProject, sdkVersion } from '../create'
import { packProject } from '../pack'
import { publishArchive } from '../publish'
import { checkProject } from '../validate'
import { testProject } from './test-plugin'

export interface CliIo {
  cwd: string
  env: Record<string, string | undefined>
  out(line: string): void
  err(line: string): void
}

const defaultIo = (): CliIo => ({
  cwd: process.cwd(),
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
})

function program(io: CliIo): Command {
  const cli = new Command('ensemble-plugin')
    .description('Create, check, test, pack and publish Ensemble AI plugins')
    .version(sdkVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    })
  const at = (dir: string | undefined) => resolve(io.cwd, dir ?? '.')
  const show = (path: string) => relative(io.cwd, path) || '.'

  cli
    .command('create <dir>')
    .description('scaffold a plugin project in a new folder')
    .option('--kind <kind>', 'generator, arranger or harmonizer', 'generator')
    .option('--id <id>', 'reverse-DNS plugin id, such as com.example.arpeggiator')
    .action((dir: string, opts: { kind: string; id?: string }) => {
      const created = createProject(at(dir), opts)
      io.out(`created ${show(created.dir)}:`)
      for (const f of created.files) io.out(`  ${f}`)
      io.out(`next: cd ${show(created.dir)} && npm install && npx ensemble-plugin test`)
    })

  cli
    .command('validate [dir]')
    .description('check the manifest, parameters, host API range and asset digests')
    .action(async (dir?: string) => {
      const project = await checkProject(at(dir))
      for (const w of project.warnings) io.err(`warning: ${w}`)
      const m = project.manifest
      io.out(
        `${m.id} ${m.version} (${m.kind}) is valid: ${m.parameters.length} parameters, host API ${m.hostApi}, ${Object.keys(project.assets).length} asset files, bundle ${Buffer.byteLength(project.bundle)} bytes`,
      )
    })

  cli
    .command('test [dir]')
    .description('run the bundle in the studio sandbox against sample songs')
    .action(async (dir?: string) => {
      const { runs } = await testProject(at(dir), (line) =>
        (line.ok ? io.out : io.err)(`${line.ok ? '✓' : '✗'} ${line.text}`),
      )
      io.out(`${runs} sandbox runs passed`)
    })

  cli
    .command('pack [dir]')
    .description('bundle and pack into a .ensemble-plugin archive; prints every digest')
    .option('--out <dir>', 'where to write the archive', 'dist')
    .action(async (dir: string | undefined, opts: { out: string }) => {
      const root = at(dir)
      const packed = await packProject(root, resolve(root, opts.out))
      for (const w of packed.warnings) io.err(`warning: ${w}`)
      const { archive } = packed
      io.out(`packed ${show(packed.file)} (${packed.bytes.length} bytes)`)
      io.out(`  plugin.js      ${archive.bundleSha256}  ${archive.integrity.bundle.bytes} bytes`)
      io.out(`  manifest.json  ${archive.integrity.manifest.sha256}`)
      for (const a of archive.integrity.assets) io.out(`  assets/${a.path}  ${a.sha256}  ${a.bytes} bytes`)
      io.out(`  archive        ${archive.archiveSha256}`)
    })

  cli
    .command('publish [dir]')
    .description("upload to a studio's registry with a publisher token (packs first unless --file is given)")
    .requiredOption('--registry <url>', 'the studio, such as https://studio.example.org')
    .option('--token <token>', 'publisher token (default: $ENSEMBLE_PUBLISH_TOKEN)')
    .option('--file <archive>', 'an archive made by pack')
    .action(async (dir: string | undefined, opts: { registry: string; token?: string; file?: string }) => {
      const token = opts.token ?? io.env.ENSEMBLE_PUBLISH_TOKEN ?? ''
      let bytes: Uint8Array
      if (opts.file) {
        try {
          bytes = new Uint8Array(readFileSync(resolve(io.cwd, opts.file)))
        } catch (error) {
          throw new CliError(`cannot read ${opts.file}: ${(error as Error).message}`)
        }
        // The registry would refuse it anyway; saying why here is clearer.
        await readArchive(bytes)
      } else bytes = (await packProject(at(dir))).bytes
      const archive = await readArchive(bytes)
      const published = await publishArchive({ registry: opts.registry, token, archive: bytes })
      io.out(
        `published ${archive.manifest.id} ${archive.manifest.version} to ${new URL(opts.registry).origin} (archive ${archive.archiveSha256})`,
      )
      if (published.body) io.out(JSON.stringify(published.body))
    })
  return cli
}

/** Runs one command line; resolves to the exit code. Every failure is one clear message on stderr. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    await program(io).parseAsync([...argv], { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1
    if (error instanceof CliError) {
      io.err(`error: ${error.message}`)
      for (const d of error.details) io.err(`  - ${d}`)
      return 1
    }
    if (error instanceof Error && error.name === 'ArchiveError') {
      io.err(`error: the archive was refused (${(error as Error & { code: string }).code}): ${error.message}`)
      return 1
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}
