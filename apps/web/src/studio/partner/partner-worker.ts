/// <reference lib="webworker" />
import { startLive } from '@ensemble/core/plugin'
import {
  type FetchedModel,
  loadInPagePartner,
  MODEL_PARTNERS,
  selectInPageBackend,
} from '@ensemble/plugins/live-models'
import { type FromPartnerWorker, type ToPartnerWorker, ToPartnerWorkerSchema } from './partner-protocol'
import { startWorkerHostLoop, type WorkerHostLoop } from './worker-host-loop'

/*
 * The studio's partner worker: one model partner (call and response or the drummer) for one run, its
 * weights fetched from the studio's own static copy and checked against weights.json before use, its model
 * steps off the page's main thread so the studio keeps drawing while it thinks, and the host loop too: the
 * worker keeps the song clock and plans each window on its own timer (worker-host-loop.ts). Bundled on its own by
 * scripts/build-partner-worker.mjs (served at /partner/worker.js); protocol: partner-protocol.ts.
 */

const scope = self as unknown as DedicatedWorkerGlobalScope
let host: WorkerHostLoop | null = null
/** Model milliseconds since the last plan reply. */
let modelMs = 0
/** Messages that arrived while loading, handled in order once the partner is up. */
let pending: ToPartnerWorker[] | null = null

function post(message: FromPartnerWorker): void {
  scope.postMessage(message)
}

async function bytes(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  return res.arrayBuffer()
}

async function load(message: Extract<ToPartnerWorker, { type: 'load' }>): Promise<void> {
  pending = []
  try {
    await selectInPageBackend()
    const folder = `${message.modelsUrl}/${MODEL_PARTNERS[message.kind].model}`
    const [weightsJson, modelJson, weights] = await Promise.all([
      bytes(`${folder}/weights.json`).then((b) => JSON.parse(new TextDecoder().decode(b)) as unknown),
      bytes(`${folder}/model.json`),
      bytes(`${folder}/model.weights.bin`),
    ])
    const files: FetchedModel = { weightsJson, modelJson, weights }
    const partner = await loadInPagePartner(message.kind, files, (ms) => {
      modelMs += ms
    })
    const run = startLive(partner.plugin, message.start, {
      models: partner.runner,
      now: () => performance.now(),
    })
    host = startWorkerHostLoop({
      run,
      post,
      now: () => Date.now(),
      takeModelMs() {
        const ms = modelMs
        modelMs = 0
        return ms
      },
    })
    post({ type: 'ready', version: partner.plugin.manifest.version, modelHash: partner.modelHash })
  } catch (err) {
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
  }
  const queued = pending
  pending = null
  for (const m of queued) void handle(m)
}

async function handle(message: ToPartnerWorker): Promise<void> {
  if (message.type === 'load') return load(message)
  if (pending) {
    pending.push(message)
    return
  }
  if (message.type === 'stop') {
    host?.stop()
    host = null
    scope.close()
    return
  }
  if (!host) return
  if (message.type === 'clock') {
    host.anchor(message.anchor)
    return
  }
  try {
    host.hear(message.events)
  } catch {
    // A malformed event is the player's, not a reason to stop the partner.
  }
}

scope.onmessage = (event: MessageEvent<unknown>) => {
  const checked = ToPartnerWorkerSchema.safeParse(event.data)
  if (!checked.success) return
  void handle(checked.data)
}
