import type { LiveStart } from '@ensemble/core/plugin'
import {
  FromPartnerWorkerSchema,
  type ModelPartnerKind,
  PARTNER_ASSETS_PATH,
  PARTNER_WORKER_URL,
  type SongAnchor,
  type ToPartnerWorker,
} from './partner-protocol'
import { createPartnerTake, followInto, type PartnerSession, type PlayNote } from './partner-session'

/*
 * A model partner run in the partner worker, seen from the page. The worker runs the host loop on its own
 * timer and song clock (worker-host-loop.ts): the page tells it where the song is (`anchor`), forwards the
 * player's notes, and sounds what arrives, each note at its time on the audio clock. A reply the page handles
 * late (a busy main thread) keeps its notes still ahead; those too close are dropped (partner-session.ts).
 */

export interface WorkerPartner {
  session: PartnerSession
  version: string
  /** SHA-256 of the weights the worker verified and runs. */
  modelHash: string
  /**
   * Where the song is: at the transport's start, on every jump, tempo change or drift (`songAnchor`), and
   * null when it stops.
   */
  anchor(anchor: SongAnchor | null): void
  /** Model milliseconds so far, and the beats of the windows planned: model ms per beat. */
  modelMs(): number
  beatsPlanned(): number
  /** Late windows the worker itself reported (the rest of the session's late count were late on the page). */
  lateInWorker(): number
}

export function startWorkerPartner(
  kind: ModelPartnerKind,
  start: LiveStart,
  options: { play: PlayNote; onFailed(message: string): void },
  origin: string = globalThis.location?.origin ?? '',
): Promise<WorkerPartner> {
  const worker = new Worker(PARTNER_WORKER_URL, { type: 'module', name: `partner-${kind}` })
  const send = (m: ToPartnerWorker) => worker.postMessage(m)
  const take = createPartnerTake(options.play)
  let ready = false
  let modelMs = 0
  let beats = 0
  let lateInWorker = 0
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    send({ type: 'stop' })
  }
  return new Promise((resolve, reject) => {
    worker.onerror = (event) => {
      reject(new Error(event.message || 'the partner worker failed to start'))
      stop()
    }
    worker.onmessage = (event: MessageEvent<unknown>) => {
      const checked = FromPartnerWorkerSchema.safeParse(event.data)
      if (!checked.success || stopped) return
      const message = checked.data
      if (message.type === 'ready') {
        ready = true
        resolve({
          session: {
            followPlayer: (stream) =>
              followInto(stream, {
                hear(events) {
                  if (!stopped) send({ type: 'hear', events: [...events] })
                },
              }),
            played: take.played,
            late: take.late,
            windows: take.windows,
            stop,
          },
          version: message.version,
          modelHash: message.modelHash,
          anchor(anchor) {
            if (!stopped) send({ type: 'clock', anchor })
          },
          modelMs: () => modelMs,
          beatsPlanned: () => beats,
          lateInWorker: () => lateInWorker,
        })
        return
      }
      if (message.type === 'failed') {
        if (ready) options.onFailed(message.message)
        else reject(new Error(message.message))
        stop()
        return
      }
      modelMs += message.modelMs
      beats += message.beats
      if (message.late) lateInWorker++
      // Placed from now on this page's clock: the worker's times are on the clock both share.
      const now = Date.now()
      take.deliver(
        message.notes.map(({ note, atMs }) => ({ note, inMs: atMs - now })),
        message.late,
      )
    }
    send({ type: 'load', kind, modelsUrl: `${origin}${PARTNER_ASSETS_PATH}/models`, start })
  })
}
