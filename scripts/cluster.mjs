#!/usr/bin/env node
// Starts N web instances on consecutive ports against one PostgreSQL and one Redis: the local,
// docker-compose-free stand-in for a scaled-out deployment (see README, "Several instances").
//
//   pnpm cluster -- --instances 3 --port 3000 [--next]
//
// DATABASE_URL is required (PGlite is one process's embedded database and cannot be shared);
// REDIS_URL defaults to redis://127.0.0.1:6379. Every other variable of the web server applies to
// all instances. The first instance starts (and migrates) alone, then the others start together.
// Ctrl-C sends SIGTERM to every instance, which flushes its pending updates before exiting.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    instances: { type: 'string', default: '3' },
    port: { type: 'string', default: '3000' },
    next: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log('usage: pnpm cluster -- [--instances N] [--port FIRST_PORT] [--next]')
  process.exit(0)
}
const count = Number(values.instances)
const firstPort = Number(values.port)
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(firstPort) || firstPort < 1) {
  console.error('--instances and --port must be positive integers')
  process.exit(2)
}
if (!process.env.DATABASE_URL) {
  console.error(
    'DATABASE_URL must point at PostgreSQL: instances share its update log (PGlite cannot be shared)',
  )
  process.exit(2)
}
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
const webDir = fileURLToPath(new URL('../apps/web/', import.meta.url))
const children = new Map()
let stopping = false

function start(index) {
  const port = firstPort + index
  const args = ['--import', 'tsx', 'src/server/main.ts', ...(values.next ? ['--dev'] : ['--no-next'])]
  const child = spawn(process.execPath, args, {
    cwd: webDir,
    env: { ...process.env, PORT: String(port), REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.set(index, child)
  const prefix = `[web:${index} :${port}] `
  const relay = (stream, out) => {
    let rest = ''
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n')
      rest = lines.pop() ?? ''
      for (const line of lines) out.write(`${prefix}${line}\n`)
    })
  }
  relay(child.stdout, process.stdout)
  relay(child.stderr, process.stderr)
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      if (d.toString().includes('listening on')) resolve()
    })
    child.once('exit', (code, signal) => reject(new Error(`instance ${index} exited (${signal ?? code})`)))
  })
  child.once('exit', (code, signal) => {
    children.delete(index)
    if (!stopping) console.error(`${prefix}exited (${signal ?? code}); the others keep serving`)
    if (children.size === 0 && stopping) process.exit(0)
  })
  return listening
}

function stop() {
  if (stopping) return
  stopping = true
  if (children.size === 0) process.exit(0)
  for (const child of children.values()) child.kill('SIGTERM')
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

try {
  await start(0)
  await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)))
  const urls = Array.from({ length: count }, (_, i) => `http://127.0.0.1:${firstPort + i}`)
  console.log(`[cluster] ${count} instances up: ${urls.join(' ')} (readiness: <url>/readyz)`)
} catch (err) {
  console.error(`[cluster] ${err.message}`)
  stop()
}
