import type { Db } from '../db'
import { sweepAssets } from './asset-store'

/**
 * Every instance sweeps (two that overlap delete the same rows once): uploads abandoned for
 * `expiryMs` (ASSET_UPLOAD_EXPIRY_HOURS) go with their chunks, as do assets no project links any more.
 * The next sweep is scheduled when one ends, so a slow sweep never overlaps the next.
 */
export function startAssetSweep(
  db: Db,
  options: { expiryMs: number; intervalMs: number; log: (line: string) => void },
): () => void {
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => void sweepOnce().finally(schedule), options.intervalMs)
    timer.unref()
  }
  const sweepOnce = async () => {
    const swept = await sweepAssets(db, new Date(Date.now() - options.expiryMs)).catch((err: unknown) => {
      options.log(`[assets] sweep failed: ${err instanceof Error ? err.message : String(err)}`)
      return null
    })
    if (swept !== null && swept.uploads + swept.assets + swept.chunks > 0)
      options.log(
        `[assets] swept ${swept.uploads} upload(s), ${swept.assets} unlinked asset(s), ${swept.chunks} chunk(s)`,
      )
  }
  schedule()
  return () => {
    stopped = true
    if (timer !== null) clearTimeout(timer)
  }
}
