import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { newQuickJSWASMModule, newVariant, type QuickJSWASMModule, RELEASE_SYNC } from 'quickjs-emscripten'

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
let memoryCeilingBytes: number | undefined

const WASM_PAGE = 64 * 1024
/** The module's own initial memory (emscripten's INITIAL_MEMORY): a smaller memory is refused. */
const INITIAL_MEMORY_BYTES = 16 * 1024 * 1024

/**
 * Caps the WebAssembly memory every runtime of this thread's engine shares. The per-call memory limit is
 * QuickJS's own count of what the plugin allocated, and it does not see everything: typed arrays and large
 * arrays grew one module's memory to its 2 GiB maximum before QuickJS said "out of memory". Memory a module
 * grew is never given back, so the cap is what bounds the process; a call that reaches it fails with
 * `memory` like one that reaches its own limit. Set before the first call (the inference service's sandbox
 * threads do); the CLI runs without one.
 */
export function setSandboxMemoryCeiling(bytes: number): void {
  if (engine !== undefined)
    throw new Error('the sandbox engine is already made; set its memory ceiling first')
  memoryCeilingBytes = Math.max(INITIAL_MEMORY_BYTES, bytes)
}

function newModule(): Promise<QuickJSWASMModule> {
  if (memoryCeilingBytes === undefined) return newQuickJSWASMModule(RELEASE_SYNC)
  const wasmMemory = new WebAssembly.Memory({
    initial: INITIAL_MEMORY_BYTES / WASM_PAGE,
    maximum: Math.floor(memoryCeilingBytes / WASM_PAGE),
  })
  return newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory }))
}

/** The process's engine, made on first use. */
export function sandboxEngine(): Promise<SandboxEngine> {
  engine ??= Promise.all([newModule(), buildDriverScript()]).then(
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
