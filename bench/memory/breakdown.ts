import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'

/**
 * Where a process's resident memory is, from two sources that need no change to the process:
 * - /proc/<pid>/smaps, each mapping's resident size by what backs it. V8 reserves 8 GiB plus guard
 *   pages of address space for every WebAssembly memory (bounds checks by trap), so a mapping that
 *   large is one; the rest of the anonymous memory is V8 heaps, JIT code, malloc and ArrayBuffers.
 * - a Node.js diagnostic report (the process runs with `--report-on-signal`): the V8 heap of the main
 *   thread and of every worker thread, each by space (code space included).
 */

const MiB = 1024 * 1024
/** Smaller than any WebAssembly memory reservation, larger than anything else V8 or malloc maps. */
const WASM_RESERVATION_BYTES = 4 * 1024 * MiB

export interface Breakdown {
  /** Resident MiB by kind of mapping; they add up to the process's RSS. */
  resident: Record<string, number>
  /** Resident MiB of each WebAssembly memory, largest first. */
  wasmMemories: number[]
  /** Per thread (main first): V8 heap committed and used, and its code space, MiB. */
  threads: { thread: string; heapTotal: number; heapUsed: number; codeSpace: number }[]
}

interface Mapping {
  start: number
  end: number
  perms: string
  name: string
  rssKiB: number
}

function mappingsOf(pid: number): Mapping[] {
  const mappings: Mapping[] = []
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (header) {
      mappings.push({
        start: Number.parseInt(header[1]!, 16),
        end: Number.parseInt(header[2]!, 16),
        perms: header[3]!,
        name: header[4]!.trim(),
        rssKiB: 0,
      })
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    const last = mappings[mappings.length - 1]
    if (rss && last !== undefined) last.rssKiB = Number(rss[1])
  }
  return mappings
}

function residentByKind(pid: number): { resident: Record<string, number>; wasmMemories: number[] } {
  const resident: Record<string, number> = {}
  const wasmMemories: number[] = []
  const add = (kind: string, kib: number) => {
    resident[kind] = (resident[kind] ?? 0) + kib / 1024
  }
  const mappings = mappingsOf(pid)
  // A WebAssembly memory: its accessible pages, then (same reservation, next address) the rest of
  // the reservation, inaccessible. Together they are the 8-10 GiB V8 reserves for each memory.
  const isWasm = (m: Mapping, next: Mapping | undefined): boolean =>
    m.name === '' &&
    m.perms.startsWith('rw') &&
    next !== undefined &&
    next.start === m.end &&
    next.name === '' &&
    next.perms.startsWith('---') &&
    next.end - m.start >= WASM_RESERVATION_BYTES
  mappings.forEach((m, i) => {
    const kib = m.rssKiB
    if (m.name.startsWith('/')) {
      const base = path.basename(m.name)
      add(
        base === 'node'
          ? 'file: node binary'
          : base.includes('.so')
            ? 'file: shared libraries'
            : 'file: other',
        kib,
      )
    } else if (m.name === '[heap]') add('malloc (brk heap)', kib)
    else if (m.name.startsWith('[stack')) add('stacks', kib)
    else if (m.name.startsWith('[')) add(`other ${m.name}`, kib)
    else if (isWasm(m, mappings[i + 1])) {
      add('WebAssembly memories', kib)
      wasmMemories.push(kib / 1024)
    } else if (m.perms.includes('x')) add('anonymous executable (JIT code: JS and WebAssembly)', kib)
    else add('anonymous (V8 heaps, malloc arenas, ArrayBuffers)', kib)
  })
  for (const kind of Object.keys(resident)) if ((resident[kind] ?? 0) < 0.05) delete resident[kind]
  return { resident, wasmMemories: wasmMemories.sort((a, b) => b - a) }
}

interface ReportHeap {
  totalMemory: number
  usedMemory: number
  heapSpaces: Record<string, { memorySize: number }>
}
interface Report {
  header: { threadId: number | null }
  javascriptHeap: ReportHeap
  workers?: Report[]
}

/** Asks the process for a diagnostic report (SIGUSR2, see `--report-signal`) and reads its heaps. */
async function threadHeaps(pid: number, reportDir: string): Promise<Breakdown['threads']> {
  for (const f of readdirSync(reportDir)) rmSync(path.join(reportDir, f))
  process.kill(pid, 'SIGUSR2')
  const until = Date.now() + 30_000
  for (;;) {
    const file = readdirSync(reportDir).find((f) => f.endsWith('.json') && f.includes(`.${pid}.`))
    if (file !== undefined) {
      const text = readFileSync(path.join(reportDir, file), 'utf8')
      // The report is written in one go but may be read mid-write: retry until it parses.
      try {
        const report = JSON.parse(text) as Report
        const heap = (thread: string, r: Report) => ({
          thread,
          heapTotal: r.javascriptHeap.totalMemory / MiB,
          heapUsed: r.javascriptHeap.usedMemory / MiB,
          codeSpace: (r.javascriptHeap.heapSpaces.code_space?.memorySize ?? 0) / MiB,
        })
        return [
          heap('main', report),
          ...(report.workers ?? []).map((w) => heap(`worker ${w.header.threadId ?? '?'}`, w)),
        ]
      } catch {}
    }
    if (Date.now() > until || !existsSync(`/proc/${pid}`)) throw new Error(`no diagnostic report from ${pid}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

export async function breakdownOf(pid: number, reportDir: string): Promise<Breakdown> {
  const threads = await threadHeaps(pid, reportDir)
  return { ...residentByKind(pid), threads }
}

export function formatBreakdown(title: string, b: Breakdown): string {
  const f = (n: number) => n.toFixed(1)
  const total = Object.values(b.resident).reduce((a, n) => a + n, 0)
  return [
    `${title}: ${f(total)} MiB resident`,
    ...Object.entries(b.resident)
      .sort((x, y) => y[1] - x[1])
      .map(([kind, mib]) => `  ${kind}: ${f(mib)}`),
    `  WebAssembly memories: ${b.wasmMemories.map(f).join(', ') || 'none'}`,
    ...b.threads.map(
      (t) =>
        `  V8 heap, ${t.thread}: ${f(t.heapUsed)} used of ${f(t.heapTotal)} (code space ${f(t.codeSpace)})`,
    ),
  ].join('\n')
}
