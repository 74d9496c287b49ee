import { startServer } from './app'
import { loadConfig } from './config'

/**
 * Process entry: `tsx src/server/main.ts [--dev] [--no-next]`. See config.ts for the env vars.
 * SIGTERM/SIGINT flush pending document updates before exiting.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2))
  const running = await startServer({ config })
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`[ensemble] ${signal}: shutting down`)
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('[ensemble] shutdown failed:', err)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

// Last line of defence: the collab code catches per connection, but a stray rejection must be
// logged, not take every room down with it.
process.on('unhandledRejection', (reason) => console.error('[ensemble] unhandled rejection:', reason))
process.on('uncaughtException', (err) => console.error('[ensemble] uncaught exception:', err))

main().catch((err: unknown) => {
  console.error('[ensemble] failed to start:', err)
  process.exit(1)
})
