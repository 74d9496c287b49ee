import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { copyPublished } from '@ensemble/plugins/first-party'
import { ARCHIVES_PATH, loadInferenceConfig } from './config'
import { firstPartyPlugins } from './first-party'
import { createLogger } from './log'
import { type RunningInference, startInference } from './server'
import { type ArchiveSource, webArchiveSource } from './third-party/archive-source'

/*
 * The real service for other packages' tests (the web server's AI router): its first-party plugins over
 * HTTP on a free port, on a private copy of the committed weights of the models named, so that a training
 * run republishing weights cannot tear the files mid-test. Models not copied are listed as unavailable,
 * exactly as a checkout without their weights would list them.
 */

export interface TestInference {
  readonly url: string
  readonly secret: string
  readonly running: RunningInference
  /**
   * The web server the service fetches third-party archives from (its base URL). A test starts the service
   * before the web server that must know the service's URL, so this is set afterwards; until then the
   * service knows no third-party plugin.
   */
  fetchArchivesFrom(webUrl: string): void
  close(): Promise<void>
}

export interface TestInferenceOptions {
  /** First-party models whose committed weights to serve (`packages/plugins/src/<model>/weights`), e.g. ['harmonizer']. */
  readonly models: readonly string[]
  /** Extra INFERENCE_* settings (INFERENCE_MAX_PENDING, INFERENCE_BATCH_MAX, …). */
  readonly env?: Readonly<Record<string, string>>
}

export async function startTestInference(options: TestInferenceOptions): Promise<TestInference> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-inference-test-'))
  const modelsDir = path.join(dataDir, 'models')
  for (const model of options.models) copyPublished(model, modelsDir)
  const config = loadInferenceConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    INFERENCE_PORT: '0',
    TFJS_BACKEND: 'wasm',
    INFERENCE_SECRET: 'test-inference-secret-0123456789',
    ...options.env,
  })
  let web: ArchiveSource | undefined
  const running = await startInference({ ...config, port: 0 }, createLogger('error'), {
    plugins: firstPartyPlugins({ modelsDir }),
    archives: { fetch: async (id, version) => web?.fetch(id, version) },
  })
  return {
    url: running.url,
    secret: config.secret,
    running,
    fetchArchivesFrom: (webUrl) => {
      web = webArchiveSource({ url: `${webUrl}${ARCHIVES_PATH}`, secret: config.secret })
    },
    close: async () => {
      await running.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
