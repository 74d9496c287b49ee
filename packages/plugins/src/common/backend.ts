import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'

export type BackendName = 'wasm' | 'cpu'

/**
 * Starts tfjs on the backend named by TFJS_BACKEND (default wasm). WebAssembly with SIMD is several
 * times faster than the pure-JS cpu backend in Node; threads are unavailable, so it runs on one core.
 * cpu stays as the fallback when wasm cannot start.
 */
export async function initBackend(preferred?: BackendName): Promise<string> {
  const wanted = preferred ?? (process.env.TFJS_BACKEND === 'cpu' ? 'cpu' : 'wasm')
  if (wanted === 'wasm') {
    const require = createRequire(import.meta.url)
    const wasmFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')
    // setWasmPaths wants a prefix ending in a separator: it appends the wasm file names itself.
    setWasmPaths(`${path.dirname(wasmFile)}${path.sep}`)
    if (await tf.setBackend('wasm').catch(() => false)) {
      await tf.ready()
      return tf.getBackend()
    }
  }
  await tf.setBackend('cpu')
  await tf.ready()
  return tf.getBackend()
}
