import { parentPort, workerData } from 'node:worker_threads'
import type { ModelTensor } from '@ensemble/core/plugin'
import { PluginError } from '@ensemble/core/plugin'
import {
  checkBundle,
  runInSandbox,
  SandboxError,
  sandboxEngine,
  setSandboxMemoryCeiling,
} from '@ensemble/plugin-sdk/sandbox'
import type { FromWorker, SandboxThreadData, SerializedFailure, ToWorker } from './sandbox-thread'

/*
 * The sandbox's own thread: runs each call it is sent with `runInSandbox`, asks the main thread for every
 * model step (the models and their micro-batchers live there), and reports the output or the failure.
 * A plugin computing here blocks only this thread; the service keeps answering. Aborts arrive as a message
 * when the plugin is waiting, and through the shared flag when it is computing.
 */

const port = parentPort!
setSandboxMemoryCeiling((workerData as SandboxThreadData).memoryCeilingBytes)
const calls = new Map<number, AbortController>()
const models = new Map<number, { resolve(o: ModelTensor[]): void; reject(e: Error): void }>()
let nextModelCall = 0

const send = (message: FromWorker) => port.postMessage(message)

function serialize(err: unknown): SerializedFailure {
  if (err instanceof SandboxError)
    return {
      kind: 'sandbox',
      code: err.code,
      message: err.message,
      issues: [...err.issues],
      ...(err.budgetMs === undefined ? {} : { budgetMs: err.budgetMs }),
    }
  if (err instanceof PluginError)
    return { kind: 'plugin', code: err.code, message: err.message, issues: [...err.issues] }
  return {
    kind: 'other',
    code: 'internal_error',
    message: err instanceof Error ? err.message : String(err),
    issues: [],
  }
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const controller = new AbortController()
  calls.set(message.id, controller)
  const flags = new Int32Array(message.flags)
  send({ type: 'started', id: message.id })
  try {
    const output = await runInSandbox({
      bundle: message.bundle,
      manifest: message.manifest,
      input: message.input,
      deadlineAt: message.deadlineAt,
      ...(message.limits ? { limits: message.limits } : {}),
      signal: controller.signal,
      pollAbort: () => {
        if (Atomics.load(flags, 0) !== 0 && !controller.signal.aborted)
          controller.abort(new Error(message.abortReason))
      },
      host: {
        runModel: (assetId, inputs) =>
          new Promise<ModelTensor[]>((resolve, reject) => {
            const callId = nextModelCall++
            models.set(callId, { resolve, reject })
            send({ type: 'model', id: message.id, callId, assetId, inputs })
          }),
      },
    })
    send({ type: 'done', id: message.id, output })
  } catch (err) {
    send({ type: 'failed', id: message.id, failure: serialize(err) })
  } finally {
    calls.delete(message.id)
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'run':
      void run(message)
      break
    case 'model': {
      const pending = models.get(message.callId)
      models.delete(message.callId)
      if (!pending) break
      if (message.error !== undefined) pending.reject(new Error(message.error))
      else pending.resolve(message.outputs ?? [])
      break
    }
    case 'abort':
      calls.get(message.id)?.abort(new Error(message.reason))
      break
    case 'check':
      send({ type: 'started', id: message.id })
      checkBundle({
        bundle: message.bundle,
        manifest: message.manifest,
        limits: { deadlineMs: message.budgetMs },
      }).then(
        () => send({ type: 'done', id: message.id }),
        (err: unknown) => send({ type: 'failed', id: message.id, failure: serialize(err) }),
      )
      break
    case 'warm':
      void sandboxEngine().then(() => send({ type: 'warm' }))
      break
  }
})
