import {
  type ModelRunner,
  type Plugin,
  PluginError,
  runPlugin,
  type SuggestOutput,
} from '@ensemble/core/plugin'
import { Admission, type AdmissionLimits } from './admission'
import { type LoadedModel, ModelInputError } from './loaded-model'
import type { SuggestRequest } from './suggest-request'

/*
 * The host's runner for first-party plugins: our own code, run in this process through core's `runPlugin`,
 * behind admission (admission.ts: bounded calls in flight, a fair share of them per caller) and the server's
 * deadline cap. Their model steps go to the same micro-batched models as everyone's.
 */

export interface InProcessRunnerOptions {
  admission: AdmissionLimits
  maxDeadlineMs: number
  now?: () => number
}

export class InProcessRunner {
  private readonly admission: Admission
  private readonly now: () => number
  private anonymous = 0

  constructor(private readonly options: InProcessRunnerOptions) {
    this.now = options.now ?? Date.now
    this.admission = new Admission(options.admission, this.now)
  }

  /** Calls running or waiting for their turn. */
  get inFlight(): number {
    return this.admission.inFlight
  }

  async run(
    plugin: Plugin,
    models: ReadonlyMap<string, LoadedModel>,
    request: SuggestRequest,
    receivedAt: number,
  ): Promise<SuggestOutput> {
    // The caller's budget, never more than the server allows; counted from arrival, so time spent
    // waiting for a turn, for a batch or behind other work is part of it.
    const deadlineAt = receivedAt + Math.min(request.input.deadlineMs, this.options.maxDeadlineMs)
    // A call that names no caller (tests, an operator's script) shares with nobody.
    const callerKey = request.caller?.userId ?? `anonymous:${this.anonymous++}`
    const release = await this.admission.admit(callerKey, deadlineAt)
    try {
      return await runPlugin(plugin, request.input, {
        models: modelRunner(models, deadlineAt, callerKey),
        deadlineAt,
        now: this.now,
      })
    } finally {
      release()
    }
  }
}

function modelRunner(
  models: ReadonlyMap<string, LoadedModel>,
  deadlineAt: number,
  callerKey: string,
): ModelRunner {
  return {
    run: async (assetId, inputs) => {
      const model = models.get(assetId)
      if (!model) throw new Error(`model ${assetId} is not loaded`)
      try {
        return await model.run(inputs, deadlineAt, callerKey)
      } catch (err) {
        // The plugin passed a tensor the model cannot take: the plugin's fault, reported as such.
        if (err instanceof ModelInputError)
          throw new PluginError('plugin_failed', [{ path: `models.${assetId}`, message: err.message }])
        throw err
      }
    },
  }
}
