import { startTestInference, type TestInference } from '@ensemble/inference/testing'
import type { RunningServer } from '../../src/server/app'
import type { Database } from '../../src/server/db'
import { type Caller, signUp } from './api'
import { openTestDatabase } from './db'
import { seedProject } from './projects'
import { type ConfigOverrides, startTestServer } from './server'

/**
 * The set-up the `ai` router's tests share: PGlite, the real inference service (in this process, over HTTP)
 * on the committed weights of `models`, a web server talking to it, and a band (owner, editor, viewer) with
 * one project, plus a stranger outside it.
 */
export interface AiBand {
  readonly database: Database
  readonly inference: TestInference
  readonly server: RunningServer
  readonly owner: Caller
  readonly editor: Caller
  readonly viewer: Caller
  readonly stranger: Caller
  readonly projectId: string
  close(): Promise<void>
}

export async function startAiBand(
  models: readonly string[],
  overrides: ConfigOverrides = {},
): Promise<AiBand> {
  const [database, inference] = await Promise.all([
    openTestDatabase('pglite'),
    startTestInference({ models }),
  ])
  const server = await startTestServer(database, {
    ...overrides,
    inferenceUrl: inference.url,
    inferenceSecret: inference.secret,
  })
  const [owner, editor, viewer, stranger] = await Promise.all(
    ['owner', 'editor', 'viewer', 'stranger'].map((name) => signUp(server.url, name)),
  )
  if (!owner || !editor || !viewer || !stranger) throw new Error('sign-up failed')
  const projectId = await seedProject(database.db, [
    { userId: owner.userId, role: 'owner' },
    { userId: editor.userId, role: 'editor' },
    { userId: viewer.userId, role: 'viewer' },
  ])
  return {
    database,
    inference,
    server,
    owner,
    editor,
    viewer,
    stranger,
    projectId,
    close: async () => {
      await server.close()
      await inference.close()
      await database.close()
    },
  }
}
