import net from 'node:net'

/**
 * A TCP proxy that delays everything passing through it, in both directions, by `delayMs()` per chunk (e.g.
 * 150 ± 50 ms), keeping the byte order (a chunk never overtakes the one before it, as on a real TCP path). It
 * stands between WebSocket clients and the collab server for the jam's interval-mode test and bench.
 */
export interface DelayProxy {
  readonly port: number
  close(): Promise<void>
}

export async function startDelayProxy(
  target: { host: string; port: number },
  delayMs: () => number,
  /** The port to listen on (0: any free one). */
  listenPort = 0,
): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>()
  const pipe = (from: net.Socket, to: net.Socket) => {
    // One queue per direction, drained in order by one timer: a timer per chunk does not keep the order (two
    // timers due in the same millisecond may fire either way round), and a reordered stream is corrupt.
    const queue: { at: number; chunk: Buffer | null }[] = []
    let timer: ReturnType<typeof setTimeout> | null = null
    const drain = () => {
      timer = null
      while (queue.length > 0 && queue[0]!.at <= Date.now()) {
        const { chunk } = queue.shift()!
        if (to.destroyed) continue
        if (chunk === null) to.end()
        else to.write(chunk)
      }
      if (queue.length > 0) timer = setTimeout(drain, Math.max(0, queue[0]!.at - Date.now()))
    }
    const push = (chunk: Buffer | null) => {
      const last = queue.at(-1)?.at ?? 0
      // Never before the chunk ahead of it, as on a real TCP path.
      queue.push({ at: Math.max(last, Date.now() + (chunk === null ? 0 : delayMs())), chunk })
      if (timer === null) timer = setTimeout(drain, Math.max(0, queue[0]!.at - Date.now()))
    }
    from.on('data', (chunk: Buffer) => push(chunk))
    from.on('end', () => push(null))
    from.on('error', () => to.destroy())
  }
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    sockets.add(client)
    sockets.add(upstream)
    client.on('close', () => sockets.delete(client))
    upstream.on('close', () => sockets.delete(upstream))
    pipe(client, upstream)
    pipe(upstream, client)
  })
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
