/**
 * Where one API request's time went, stage by stage, sent back in the standard `Server-Timing` header
 * (browsers' network panel shows it; bench/fairness reads it). The session lookup is timed for every
 * request; a procedure names its own stages (ai.suggest). Durations only, never data: a header
 * any caller sees must not say more than how long this server took on its own request.
 */
export class ServerTiming {
  private readonly stages: { name: string; ms: number }[] = []

  /** Runs `work` as the stage `name`, timed whether it resolves or throws. */
  async time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now()
    try {
      return await work()
    } finally {
      this.add(name, performance.now() - started)
    }
  }

  /** A stage timed elsewhere (the inference service's own figure for its part of the call). */
  add(name: string, ms: number): void {
    this.stages.push({ name, ms })
  }

  /** The header's value (`session;dur=1.2, role;dur=0.8`). */
  header(): string {
    return this.stages.map(({ name, ms }) => `${name};dur=${ms.toFixed(1)}`).join(', ')
  }
}
