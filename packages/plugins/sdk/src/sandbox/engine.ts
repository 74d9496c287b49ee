import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { newQuickJSWASMModule, type QuickJSWASMModule, RELEASE_SYNC } from 'quickjs-emscripten'

/*
 * What every sandboxed call shares, made once per process: the compiled QuickJS WebAssembly module (~80 ms
 * to compile) and the driver script (inside.ts with core's random and theory, bundled by esbuild). Each call
 * then makes its own runtime and context from this module, with its own memory limit, and throws them away.
 *
 * The synchronous build, not the asyncify one: a model call is a promise inside QuickJS that the host
 * resolves when tfjs answers, and the host drives the plugin's job queue meanwhile. So the plugin sees an
 * ordinary `await ctx.models.run(...)`, many calls can wait on models at once on one module (asyncify lets a
 * module suspend only one call at a time), their model steps still meet in the service's micro-batches, and
 * the sync build carries none of asyncify's stack-unwinding code.
 */

export interface SandboxEngine {
  module: QuickJSWASMModule
  /** A global script whose value is inside.ts's `createDriver`. */
  driverScript: string
}

const insidePath = fileURLToPath(new URL('./inside.ts', import.meta.url))

async function buildDriverScript(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `export { createDriver } from ${JSON.stringify(insidePath)}`,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]!.text
  // Wrapped so that the script's value is the function and it leaves no global behind for the plugin.
  return `(function () { var module = { exports: {} }; var exports = module.exports;\n${code}\nreturn module.exports.createDriver })()`
}

let engine: Promise<SandboxEngine> | undefined

/** The process's engine, made on first use. */
export function sandboxEngine(): Promise<SandboxEngine> {
  engine ??= Promise.all([newQuickJSWASMModule(RELEASE_SYNC), buildDriverScript()]).then(
    ([module, driverScript]) => ({ module, driverScript }),
    (err: unknown) => {
      engine = undefined
      throw err
    },
  )
  return engine
}

/**
 * Forgets the engine after the WebAssembly module reported an internal failure, so the next call compiles a
 * fresh one instead of trusting a module in an unknown state.
 */
export function discardSandboxEngine(): void {
  engine = undefined
}
