import { loadInferenceConfig } from './config'
import { firstPartyPlugins } from './first-party'
import { createLogger } from './log'
import { startInference } from './server'

const config = loadInferenceConfig()
const log = createLogger(config.logLevel)
const running = await startInference(config, log, { plugins: firstPartyPlugins() })

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log.info('shutting down', { signal })
    void running.close().then(() => process.exit(0))
  })
}
