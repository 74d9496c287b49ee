import { HostError } from './host-errors'

/*
 * Admission: which suggest runs now, which waits, which is refused. A suggest's cost is shared by every call
 * running beside it (their model steps are batched together and the event loop serves them all), so a
 * caller with a hundred calls running would make everyone else's call a hundred times slower. Instead:
 *
 * - at most `running` calls run at once, and at most `runningPerCaller` of them are one caller's;
 * - a call that may not run yet waits in its caller's own queue; when a call ends, the freed slot goes to
 *   the next caller in turn (round-robin over the callers that wait), never to whoever queued most;
 * - at most `inFlight` calls run or wait at once, at most `inFlightPerCaller` of them one caller's: one more
 *   is refused busy at once, so a greedy caller's excess costs nothing but the refusal;
 * - a call still waiting at its deadline is answered busy (the time it waited was part of its budget).
 *
 * A caller is whatever the web server names (a user); calls that name none are each their own caller.
 */

export interface AdmissionLimits {
  running: number
  runningPerCaller: number
  inFlight: number
  inFlightPerCaller: number
}

interface Waiter {
  admit(): void
  timer: NodeJS.Timeout
}

interface Caller {
  running: number
  waiting: Waiter[]
}

/** Ends an admitted call: its slot goes to the next waiting caller in turn. */
export type Release = () => void

export class Admission {
  private readonly callers = new Map<string, Caller>()
  /** Callers with calls waiting, in the order their turn comes. */
  private readonly turn: string[] = []
  private running = 0
  private waiting = 0

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls running or waiting. */
  get inFlight(): number {
    return this.running + this.waiting
  }

  /**
   * Resolves when the call may run (call the release when it ends), or rejects with HostError 'busy' when
   * the service or this caller already has all it may, or when the deadline passes first.
   */
  admit(callerKey: string, deadlineAt: number): Promise<Release> {
    const caller = this.callers.get(callerKey) ?? { running: 0, waiting: [] }
    const mine = caller.running + caller.waiting.length
    if (mine >= this.limits.inFlightPerCaller)
      return Promise.reject(
        new HostError(
          'busy',
          `busy: this caller already has ${mine} suggestions in flight; try again shortly`,
        ),
      )
    if (this.inFlight >= this.limits.inFlight)
      return Promise.reject(
        new HostError('busy', `busy: ${this.inFlight} suggestions in flight, try again shortly`),
      )
    this.callers.set(callerKey, caller)
    if (this.mayRun(caller)) return Promise.resolve(this.start(callerKey, caller))
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => resolve(this.start(callerKey, caller)),
        timer: setTimeout(
          () => {
            this.leaveQueue(callerKey, caller, waiter)
            reject(new HostError('busy', 'busy: waited its whole deadline for a turn to run; try again'))
          },
          Math.max(0, deadlineAt - this.now()),
        ),
      }
      if (caller.waiting.length === 0) this.turn.push(callerKey)
      caller.waiting.push(waiter)
      this.waiting++
    })
  }

  private mayRun(caller: Caller): boolean {
    return this.running < this.limits.running && caller.running < this.limits.runningPerCaller
  }

  private start(callerKey: string, caller: Caller): Release {
    this.running++
    caller.running++
    let released = false
    return () => {
      if (released) return
      released = true
      this.running--
      caller.running--
      this.forgetIfIdle(callerKey, caller)
      this.dispatch()
    }
  }

  private leaveQueue(callerKey: string, caller: Caller, waiter: Waiter): void {
    const at = caller.waiting.indexOf(waiter)
    if (at < 0) return
    caller.waiting.splice(at, 1)
    this.waiting--
    if (caller.waiting.length === 0) this.turn.splice(this.turn.indexOf(callerKey), 1)
    this.forgetIfIdle(callerKey, caller)
  }

  private forgetIfIdle(callerKey: string, caller: Caller): void {
    if (caller.running === 0 && caller.waiting.length === 0) this.callers.delete(callerKey)
  }

  /** Fills free slots from the callers that wait, one call each in turn; a caller at its cap is skipped. */
  private dispatch(): void {
    let skipped = 0
    while (this.running < this.limits.running && skipped < this.turn.length) {
      const callerKey = this.turn.shift()!
      const caller = this.callers.get(callerKey)!
      if (caller.running >= this.limits.runningPerCaller) {
        this.turn.push(callerKey)
        skipped++
        continue
      }
      skipped = 0
      const waiter = caller.waiting.shift()!
      this.waiting--
      clearTimeout(waiter.timer)
      if (caller.waiting.length > 0) this.turn.push(callerKey)
      waiter.admit()
    }
  }
}
