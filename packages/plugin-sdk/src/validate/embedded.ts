import { runInNewContext } from 'node:vm'
import { transform } from 'esbuild'
import { CliError } from '../cli-error'

/**
 * The manifest a bundle declares in `definePlugin({ manifest })`, as plain JSON. Evaluates the bundle's top
 * level in a fresh V8 context with nothing in it; this is the author's own code on the author's machine,
 * read for its declaration only. `suggest` is never called here: `ensemble-plugin test` runs it in the sandbox.
 */
export async function embeddedManifest(bundle: string): Promise<unknown> {
  const { code } = await transform(bundle, { format: 'cjs', target: 'es2022', logLevel: 'silent' })
  const sandbox: { module: { exports: Record<string, unknown> }; exports?: unknown } = {
    module: { exports: {} },
  }
  sandbox.exports = sandbox.module.exports
  try {
    runInNewContext(code, sandbox, { timeout: 2000, filename: 'plugin.js' })
  } catch (error) {
    throw new CliError(`the bundle throws while loading: ${(error as Error).message}`)
  }
  const plugin = sandbox.module.exports.default as { manifest?: unknown; suggest?: unknown } | undefined
  if (!plugin || typeof plugin !== 'object')
    throw new CliError(
      'src/plugin.ts has no default export: end it with `export default definePlugin({ … })`',
    )
  if (typeof plugin.suggest !== 'function')
    throw new CliError('the default export has no suggest function: is it the result of definePlugin?')
  if (!plugin.manifest || typeof plugin.manifest !== 'object')
    throw new CliError('the default export has no manifest: is it the result of definePlugin?')
  return JSON.parse(JSON.stringify(plugin.manifest))
}
