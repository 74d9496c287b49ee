import { fileURLToPath } from 'node:url'
import { build, type Plugin as EsbuildPlugin } from 'esbuild'

/*
 * How a plugin's source becomes the one ES-module file the sandbox runs. Imports of the SDK (or of core's
 * contract) resolve to plugin-shim.ts: the same helpers, without the zod manifest validation that would make
 * every sandboxed call evaluate half a megabyte of library code. Everything else the plugin imports is
 * bundled in; Node built-ins fail the build, since nothing of Node exists inside the sandbox.
 */

const shimPath = fileURLToPath(new URL('./plugin-shim.ts', import.meta.url))

const sdkToShim: EsbuildPlugin = {
  name: 'ensemble-sdk-shim',
  setup(b) {
    b.onResolve({ filter: /^@ensemble\/(plugin-sdk|core\/plugin)$/ }, () => ({ path: shimPath }))
  },
}

export class BundleError extends Error {
  override readonly name = 'BundleError'
}

/** Bundles `entryFile` (its default export is `definePlugin({ manifest, suggest })`) into plugin.js's text. */
export async function bundlePlugin(entryFile: string): Promise<string> {
  const result = await build({
    entryPoints: [entryFile],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [sdkToShim],
  }).catch((err: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    const problems = (err.errors ?? []).map(
      (e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`,
    )
    throw new BundleError(`could not bundle ${entryFile}: ${problems.join('; ') || String(err)}`)
  })
  return result.outputFiles[0]!.text
}
