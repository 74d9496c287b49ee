import type { Db } from '../db'
import { sweepAssets } from './asset-store'

/**
 * Every instance sweeps (two that overlap delete the same rows once): uploads abandoned for
 * `expiryMs` (ASSET_UPLOAD_EXPIRY_HOURS) go with their chunks, as do assets no project links any more.
 */
export function startAssetSweep(
  db: Db,
  options: { expiryMs: number; intervalMs: number; log: (line: string) => void },
): () => void {
  let running = false
  const sweep = async () => {
    if (running) return
    running = true
    try {
      const swept = await sweepAssets(db, new Date(Date.now() - options.expiryMs))
      if (swept.uploads + swept.assets + swept.chunks > 0)
        options.log(
          `[assets] swept ${swept.uploads} upload(s), ${swept.assets} unlinked asset(s), ${swept.chunks} chunk(s)`,
        )
    } catch (err) {
      options.log(`[assets] sweep failed: ${err instanceof Error ? err.message : String(err)}`)
    } finally {
      running = false
    }
  }
  const timer = setInterval(() => void sweep(), options.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
