import type { LiveNote, LiveRun, LiveStart, LiveWindow } from '@ensemble/core/plugin'
import {
  FromPartnerWorkerSchema,
  type ModelPartnerKind,
  PARTNER_ASSETS_PATH,
  PARTNER_WORKER_URL,
  type ToPartnerWorker,
} from './partner-protocol'

/*
 * A model partner run in the partner worker, seen from the page as the `LiveRun` the partner session drives.
 * The worker's own `startLive` drops a plan that misses its deadline on the worker's clock. A reply the page
 * handles after the window's deadline (a busy main thread) is passed on: the partner session drops each of
 * its notes whose beat is too close to be scheduled, so none is played late, and keeps the rest (it had
 * dropped whole windows: 25 of 32 late windows in the studio were late only on the page's clock).
 */

export interface WorkerPartner {
  run: LiveRun
  version: string
  /** SHA-256 of the weights the worker verified and runs. */
  modelHash: string
  /** Model milliseconds so far, and the beats of the windows planned: model ms per beat. */
  modelMs(): number
  beatsPlanned(): number
  /** Late windows the worker itself reported (the rest of the session's late count were late on the page). */
  lateInWorker(): number
}

interface Waiting {
  resolve(out: { notes: LiveNote[]; late: boolean }): void
  reject(err: Error): void
  beats: number
}

export function startWorkerPartner(
  kind: ModelPartnerKind,
  start: LiveStart,
  origin: string = globalThis.location?.origin ?? '',
): Promise<WorkerPartner> {
  const worker = new Worker(PARTNER_WORKER_URL, { type: 'module', name: `partner-${kind}` })
  const send = (m: ToPartnerWorker) => worker.postMessage(m)
  const waiting = new Map<number, Waiting>()
  let nextId = 0
  let modelMs = 0
  let beats = 0
  let lateInWorker = 0
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    send({ type: 'stop' })
    for (const w of waiting.values()) w.resolve({ notes: [], late: false })
    waiting.clear()
  }
  return new Promise((resolve, reject) => {
    worker.onerror = (event) => {
      reject(new Error(event.message || 'the partner worker failed to start'))
      stop()
    }
    worker.onmessage = (event: MessageEvent<unknown>) => {
      const checked = FromPartnerWorkerSchema.safeParse(event.data)
      if (!checked.success) return
      const message = checked.data
      if (message.type === 'ready') {
        resolve({
          run: {
            hear(events) {
              if (!stopped) send({ type: 'hear', events: [...events] })
            },
            plan(window: LiveWindow) {
              if (stopped) return Promise.resolve({ notes: [], late: false })
              const id = nextId++
              return new Promise((resolvePlan, rejectPlan) => {
                waiting.set(id, {
                  resolve: resolvePlan,
                  reject: rejectPlan,
                  beats: window.toBeat - window.fromBeat,
                })
                send({ type: 'plan', id, window: { ...window } })
              })
            },
            stop,
          },
          version: message.version,
          modelHash: message.modelHash,
          modelMs: () => modelMs,
          beatsPlanned: () => beats,
          lateInWorker: () => lateInWorker,
        })
        return
      }
      if (message.id === undefined) {
        if (message.type === 'failed') reject(new Error(message.message))
        return
      }
      const w = waiting.get(message.id)
      if (!w) return
      waiting.delete(message.id)
      if (message.type === 'failed') {
        w.reject(new Error(message.message))
        return
      }
      modelMs += message.modelMs
      beats += w.beats
      if (message.late) lateInWorker++
      w.resolve({ notes: message.late ? [] : message.notes, late: message.late })
    }
    send({ type: 'load', kind, modelsUrl: `${origin}${PARTNER_ASSETS_PATH}/models`, start })
  })
}
