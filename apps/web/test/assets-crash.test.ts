import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { signUp } from './helpers/api'
import { download, headUpload, tusUpload } from './helpers/assets'
import { sha256, wav } from './helpers/audio-files'
import { freePort, killAllServers, spawnServer } from './helpers/child'
import { drivers, seedPgliteDir } from './helpers/db'

/**
 * An upload survives kill -9 of the server: a real server process is killed while tus-js-client is
 * sending, restarted on the same data, and the upload resumes from the bytes the server had stored
 * (not from zero), ends with the asset whole (its hash), and nothing is served before it is whole.
 */
describe.each(drivers)('asset upload across kill -9 on %s', (driver) => {
  let dataDir = ''

  afterEach(async () => {
    await killAllServers()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('resumes from the stored offset, stores the asset whole, serves nothing half-stored', {
    timeout: 300_000,
  }, async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-assets-crash-'))
    if (driver === 'pglite') await seedPgliteDir(path.join(dataDir, 'pglite'))
    const port = await freePort()
    // A busy machine can take a while to start PGlite: the test is about what happens after.
    const start = () => spawnServer({ port, dataDir, driver, timeoutMs: 120_000 })
    const first = await start()
    const baseUrl = `http://127.0.0.1:${port}`
    const user = await signUp(baseUrl, 'recorder')
    const { id: project } = await user.api.projects.create.mutate({ name: 'Crash take' })
    const take = wav(16, { frequency: 300 + Math.random() * 200 }) // ~3 MiB, new bytes on every run
    const hash = sha256(take)

    let uploadUrl: string | null = null
    let killed: Promise<void> | null = null
    const interrupted = await tusUpload(baseUrl, user.cookie, project, take, {
      chunkSize: 256 * 1024,
      onChunk: (accepted, upload) => {
        uploadUrl = upload.url
        // Killed with the next PATCH on its way: some bytes stored, the rest in flight or unsent.
        if (accepted >= 1024 * 1024 && killed === null) killed = first.kill9()
      },
    }).then(
      () => null,
      (err: unknown) => err,
    )
    await killed
    expect(interrupted).toBeInstanceOf(Error)
    expect(uploadUrl).not.toBeNull()

    await start()
    const head = await headUpload(baseUrl, user.cookie, uploadUrl!)
    expect(head.status).toBe(200)
    const storedOffset = Number(head.headers.get('upload-offset'))
    expect(storedOffset).toBeGreaterThanOrEqual(1024 * 1024)
    expect(storedOffset).toBeLessThan(take.length)
    // Not whole yet: not served, under its hash or any other way.
    expect((await download(baseUrl, user.cookie, project, hash)).status).toBe(404)

    const progress: number[] = []
    await tusUpload(baseUrl, user.cookie, project, take, {
      uploadUrl: uploadUrl!,
      chunkSize: 256 * 1024,
      onChunk: (accepted) => progress.push(accepted),
    })
    // Resumed where the server stood, not from the start.
    expect(progress[0]).toBeGreaterThan(storedOffset)
    const whole = await download(baseUrl, user.cookie, project, hash)
    expect(whole.status).toBe(200)
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(hash)
  })
})
