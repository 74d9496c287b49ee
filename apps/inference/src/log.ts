type Level = 'debug' | 'info' | 'warn' | 'error'
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type Logger = Record<Level, (msg: string, fields?: Record<string, unknown>) => void>

/** One JSON object per line, so logs can be grepped by humans and parsed by machines. */
export function createLogger(
  minLevel: Level,
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger {
  const emit =
    (level: Level) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (rank[level] < rank[minLevel]) return
      write(`${JSON.stringify({ t: new Date().toISOString(), level, svc: 'inference', msg, ...fields })}\n`)
    }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}
