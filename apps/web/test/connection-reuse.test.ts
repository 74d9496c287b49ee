import { Agent, get } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import type { Database } from '../src/server/db'
import { openTestDatabase } from './helpers/db'
import { startTestServer } from './helpers/server'

/*
 * A client that pauses between calls reuses its kept-alive connection. Node used to close it after 5 s idle,
 * racing the client's next POST (CI saw a tRPC mutation fail "other side closed"); the server now keeps it.
 */

let database: Database
let server: RunningServer

beforeAll(async () => {
  database = await openTestDatabase('pglite')
  server = await startTestServer(database)
})
afterAll(async () => {
  await server?.close()
  await database?.close()
})

function health(agent: Agent): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = get(`${server.url}/api/health`, { agent }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }))
    })
    req.on('error', reject)
  })
}

it('keeps an idle kept-alive connection open past 5 s, so the next call reuses it', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  expect(await health(agent)).toEqual({ status: 200, reused: false })
  await new Promise((resolve) => setTimeout(resolve, 6_000))
  expect(await health(agent)).toEqual({ status: 200, reused: true })
  agent.destroy()
}, 20_000)
