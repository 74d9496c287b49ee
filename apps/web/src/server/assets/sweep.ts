import type { Db } from '../db'
import { type SweepResult, sweepAssets } from './asset-store'
import { type ObjectStore, objectOf } from './object-store'

export interface SweepOptions {
  expiryMs: number
  intervalMs: number
  /** Where removed assets' objects are deleted, when assets go to an object store. */
  objects: ObjectStore | null
  log: (line: string) => void
}

/**
 * One sweep: uploads untouched since `before` go with their chunks, as do assets no project links any more
 * (and their objects, in the object store, deleted after the rows' commit: one left behind when the store
 * is unreachable only costs space). Null when the database could not be swept.
 */
export async function sweepOnce(
  db: Db,
  before: Date,
  { objects, log }: Pick<SweepOptions, 'objects' | 'log'>,
): Promise<SweepResult | null> {
  const swept = await sweepAssets(db, before).catch((err: unknown) => {
    log(`[assets] sweep failed: ${err instanceof Error ? err.message : String(err)}`)
    return null
  })
  for (const name of swept?.blobs.map(objectOf) ?? []) {
    if (name === null) continue
    await objects
      ?.delete(name)
      .catch((err: unknown) =>
        log(`[assets] deleting object ${name} failed: ${err instanceof Error ? err.message : String(err)}`),
      )
  }
  if (swept !== null && swept.uploads + swept.assets + swept.chunks > 0)
    log(
      `[assets] swept ${swept.uploads} upload(s), ${swept.assets} unlinked asset(s), ${swept.chunks} chunk(s)`,
    )
  return swept
}

/**
 * Every instance sweeps (two that overlap delete the same rows once) every `intervalMs`, what was left
 * `expiryMs` (ASSET_UPLOAD_EXPIRY_HOURS) ago. The next sweep is scheduled when one ends, so a slow sweep
 * never overlaps the next.
 */
export function startAssetSweep(db: Db, options: SweepOptions): () => void {
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(
      () => void sweepOnce(db, new Date(Date.now() - options.expiryMs), options).finally(schedule),
      options.intervalMs,
    )
    timer.unref()
  }
  schedule()
  return () => {
    stopped = true
    if (timer !== null) clearTimeout(timer)
  }
}
