import { cpus, loadavg } from 'node:os'

/** "16 cores, load 0.4 0.3 0.2": printed with every result, since a busy machine slows the benches. */
export function describeMachine(): string {
  return `${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`
}
