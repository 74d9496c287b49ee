import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import type { TfjsBackendName } from './config'
import type { Logger } from './log'

/**
 * Picks the tfjs backend named by the environment. WebAssembly (SIMD, single thread) is several times faster
 * than the pure-JS cpu backend here. `webgpu` runs on the GPU through Dawn's Node binding; without a GPU
 * adapter (or when the binding cannot load) it falls back to wasm and says so in one log line, so one
 * configuration serves on machines with and without a GPU. cpu stays as the last resort when wasm cannot start.
 */
export async function initTfjsBackend(preferred: TfjsBackendName, log?: Logger): Promise<string> {
  // Production mode turns off tfjs' development-time checks and its "install tfjs-node" banner.
  if (process.env.NODE_ENV === 'production') tf.enableProdMode()
  if (preferred === 'webgpu') {
    const reason = await startWebgpu()
    if (reason === undefined) return tf.getBackend()
    log?.warn('TFJS_BACKEND=webgpu unavailable, falling back to wasm', { reason })
  }
  if (preferred !== 'cpu') {
    const require = createRequire(import.meta.url)
    const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))
    setWasmPaths(`${wasmDir}${path.sep}`)
    if (await tf.setBackend('wasm').catch(() => false)) {
      await tf.ready()
      return tf.getBackend()
    }
  }
  await tf.setBackend('cpu')
  await tf.ready()
  return tf.getBackend()
}

/** Starts tfjs' webgpu backend on Dawn; the reason it could not, or undefined when it runs. */
async function startWebgpu(): Promise<string | undefined> {
  const message = (err: unknown) => (err instanceof Error ? err.message : String(err))
  let dawn: typeof import('webgpu')
  try {
    dawn = await import('webgpu')
  } catch (err) {
    return `the webgpu package (Dawn) failed to load: ${message(err)}`
  }
  const gpu = dawn.create([])
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null)
  if (!adapter) return 'no WebGPU adapter found (no GPU, or no Vulkan driver for it)'
  // tfjs-backend-webgpu registers itself on import only where `navigator.gpu` exists, and its shaders
  // use the GPU* constants a browser defines globally: Node has neither until Dawn provides them.
  Object.assign(globalThis, dawn.globals)
  const scope = globalThis as { navigator?: object }
  if (scope.navigator) Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true })
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true })
  try {
    await import('@tensorflow/tfjs-backend-webgpu')
    if (!(await tf.setBackend('webgpu'))) return 'tfjs could not start its webgpu backend on the adapter'
    await tf.ready()
    return undefined
  } catch (err) {
    return `tfjs' webgpu backend failed to start: ${message(err)}`
  }
}
