import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import type { TfjsBackendName } from './config'

/**
 * Picks the tfjs backend named by the environment. WebAssembly (SIMD, single thread) is several
 * times faster than the pure-JS cpu backend here; cpu stays as the fallback when wasm cannot start.
 */
export async function initTfjsBackend(preferred: TfjsBackendName): Promise<string> {
  // Production mode turns off tfjs' development-time checks and its "install tfjs-node" banner.
  if (process.env.NODE_ENV === 'production') tf.enableProdMode()
  if (preferred === 'wasm') {
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
