import { count } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/app'
import { type Database, schema } from '../src/server/db'
import { authPost, type Caller, errorMessage, signUp, uniqueEmail } from './helpers/api'
import { drivers, openTestDatabase } from './helpers/db'
import { startTestServer } from './helpers/server'

/**
 * Hostile text in every text field (project name on create / rename / duplicate, version name,
 * account name, invite secret): stored and returned byte for byte, or refused with a sentence
 * that says why. Rendering is React text everywhere (no innerHTML); the e2e test shows a
 * script-looking name on the page as plain text.
 */

const kept = {
  sql: "Robert'); DROP TABLE projects; --",
  html: '<script>alert(1)</script><img src=x onerror="alert(2)">',
  unicode: '🎸 Ünïcödé 日本語 עברית e\u0301 zero\u200Bwidth',
  quotes: `"double" 'single' \`back\` \\ backslash %s %d {{x}} \${x}`,
}

const refused: [string, string, RegExp][] = [
  ['very long', 'a'.repeat(10_000), /at most 120 characters/],
  ['empty', '   ', /cannot be empty/],
  ['NUL byte', 'a\u0000b', /control or text-direction characters/],
  ['newline', 'two\nlines', /control or text-direction characters/],
  ['right-to-left override', 'evil\u202Eexe.mp3', /control or text-direction characters/],
]

describe.each(drivers)('hostile input on %s', (driver) => {
  let database: Database
  let server: RunningServer
  let me: Caller

  beforeAll(async () => {
    database = await openTestDatabase(driver)
    server = await startTestServer(database)
    me = await signUp(server.url, 'hostile')
  })
  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it.each(Object.entries(kept))('keeps %s text exactly, in every field', async (_kind, text) => {
    const created = await me.api.projects.create.mutate({ name: text })
    expect(created.name).toBe(text)
    expect((await me.api.projects.get.query({ projectId: created.id })).name).toBe(text)
    await me.api.projects.rename.mutate({ projectId: created.id, name: `${text}!` })
    expect((await me.api.projects.list.query()).find((p) => p.id === created.id)?.name).toBe(`${text}!`)
    const copy = await me.api.projects.duplicate.mutate({ projectId: created.id, name: text })
    expect((await me.api.projects.get.query({ projectId: copy.id })).name).toBe(text)
    await me.api.versions.create.mutate({ projectId: created.id, name: text })
    expect((await me.api.versions.list.query({ projectId: created.id }))[0]?.name).toBe(text)

    const person = await signUp(server.url, 'named', text)
    expect(person.name).toBe(text)
    // The tables are all still there.
    const [row] = await database.db.select({ n: count() }).from(schema.projects)
    expect(row?.n).toBeGreaterThan(0)
  })

  it.each(refused)('refuses a %s name with a clear message', async (_kind, text, message) => {
    const { id } = await me.api.projects.create.mutate({ name: 'fine' })
    expect(await errorMessage(() => me.api.projects.create.mutate({ name: text }))).toMatch(message)
    expect(await errorMessage(() => me.api.projects.rename.mutate({ projectId: id, name: text }))).toMatch(
      message,
    )
    expect(await errorMessage(() => me.api.projects.duplicate.mutate({ projectId: id, name: text }))).toMatch(
      message,
    )
    const versionMessage = await errorMessage(() =>
      me.api.versions.create.mutate({ projectId: id, name: text }),
    )
    expect(versionMessage).toMatch(message.source.includes('120') ? /at most 120 characters/ : message)
    const res = await authPost(server.url, '/sign-up/email', {
      email: uniqueEmail('bad'),
      password: 'long enough pass',
      name: text,
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { message: string }
    expect(body.message).toMatch(message.source.includes('120') ? /at most 80 characters/ : message)
  })

  it('refuses hostile ids and invite secrets as input errors, not server errors', async () => {
    for (const projectId of ["' OR 1=1 --", '../../etc/passwd', 'x'.repeat(500), '<script>']) {
      expect(await errorMessage(() => me.api.projects.get.query({ projectId }))).toMatch(/not a project id/)
    }
    for (const secret of ["' OR '1'='1' --------", '<script>alert(1)</script>', 'x'.repeat(5000)]) {
      const message = await errorMessage(() => me.api.invites.accept.mutate({ secret }))
      expect(message).toMatch(/not valid|at most 200|Too big|too_big|<=200/i)
    }
  })
})
