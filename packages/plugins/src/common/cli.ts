import { existsSync } from 'node:fs'
import path from 'node:path'

/** Parses `--key value` and `--flag` pairs; everything else is an error so typos don't go unnoticed. */
export function parseArgs(argv: string[], known: Record<string, 'string' | 'boolean'>): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`)
    const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined]
    const kind = known[key]
    if (!kind) throw new Error(`unknown option --${key}; known: ${Object.keys(known).join(', ')}`)
    if (kind === 'boolean') out.set(key, inline ?? 'true')
    else {
      const value = inline ?? argv[++i]
      if (value === undefined) throw new Error(`--${key} needs a value`)
      out.set(key, value)
    }
  }
  return out
}

export function numArg(args: Map<string, string>, key: string, fallback: number): number {
  const v = args.get(key)
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number`)
  return n
}

/** The workspace root (holds pnpm-workspace.yaml), so default paths work from any cwd. */
export function repoRoot(start = process.cwd()): string {
  let dir = path.resolve(start)
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) return path.resolve(start)
    dir = parent
  }
}

/**
 * Default dataset location: ../shared/datasets/<rel> beside the repository root. That folder exists only
 * beside a development checkout, so a missing one is an error naming the option (`flag`) to pass instead.
 */
export function defaultDataPath(rel: string, flag = '--data'): string {
  const p = path.resolve(repoRoot(), '..', 'shared', 'datasets', rel)
  if (!existsSync(p))
    throw new Error(
      `no dataset at ${p} (the default, beside a development checkout): pass ${flag} PATH to a copy of ${rel}`,
    )
  return p
}

/** Default model folder: the committed weights, packages/plugins/src/<name>/weights. */
export function defaultModelDir(name: string): string {
  return path.join(repoRoot(), 'packages', 'plugins', 'src', name, 'weights')
}

export function resolveFromCwd(p: string): string {
  return path.resolve(process.cwd(), p)
}
