import { type InferenceConfig, loadInferenceConfig } from './config'
import { firstPartyPlugins } from './first-party'
import { createLogger } from './log'
import { startInference } from './server'

let config: InferenceConfig
try {
  config = loadInferenceConfig()
} catch (err) {
  // A bad setting stops the service before it opens its port, with the message alone (no stack).
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
}
const log = createLogger(config.logLevel)
const running = await startInference(config, log, { plugins: firstPartyPlugins() })

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log.info('shutting down', { signal })
    void running.close().then(() => process.exit(0))
  })
}
