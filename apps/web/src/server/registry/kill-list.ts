import { TRPCError } from '@trpc/server'
import { and, eq, isNull } from 'drizzle-orm'
import { type Db, schema } from '../db'

/**
 * Yanking a version puts it on the kill list: the row's `yanked_at` is set once and never cleared.
 * It stops running everywhere at once because every `ai.suggest` for a third-party plugin reads
 * this row first (on every web instance: they share the database), and the inference service is
 * told too, so it refuses the version and aborts calls already running in its sandbox.
 */

export const NOTIFY_TIMEOUT_MS = 3_000

export interface Yanked {
  pluginId: string
  version: string
  yankedAt: string
  /** False when the inference service could not be told; the database check still stops every new call. */
  serviceNotified: boolean
}

/** Tells the inference service; throws when it could not be told. */
export type KillListNotifier = (pluginId: string, version: string, signal: AbortSignal) => Promise<unknown>

export async function yankVersion(
  db: Db,
  publisherId: string,
  input: { pluginId: string; version: string; reason: string },
  notify?: KillListNotifier,
): Promise<Yanked> {
  const [plugin] = await db
    .select({ publisherId: schema.plugins.publisherId })
    .from(schema.plugins)
    .where(eq(schema.plugins.id, input.pluginId))
  if (plugin === undefined)
    throw new TRPCError({ code: 'NOT_FOUND', message: `No plugin ${input.pluginId}.` })
  if (plugin.publisherId !== publisherId)
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Only the plugin’s publisher can withdraw its versions.',
    })
  await db
    .update(schema.pluginVersions)
    .set({ yankedAt: new Date(), yankReason: input.reason })
    .where(
      and(
        eq(schema.pluginVersions.pluginId, input.pluginId),
        eq(schema.pluginVersions.version, input.version),
        isNull(schema.pluginVersions.yankedAt),
      ),
    )
  const [row] = await db
    .select({ yankedAt: schema.pluginVersions.yankedAt })
    .from(schema.pluginVersions)
    .where(
      and(
        eq(schema.pluginVersions.pluginId, input.pluginId),
        eq(schema.pluginVersions.version, input.version),
      ),
    )
  if (row?.yankedAt == null)
    throw new TRPCError({ code: 'NOT_FOUND', message: `${input.pluginId} has no version ${input.version}.` })
  return {
    pluginId: input.pluginId,
    version: input.version,
    yankedAt: row.yankedAt.toISOString(),
    serviceNotified:
      notify === undefined ? false : await notifyService(notify, input.pluginId, input.version),
  }
}

async function notifyService(notify: KillListNotifier, id: string, version: string): Promise<boolean> {
  try {
    await notify(id, version, AbortSignal.timeout(NOTIFY_TIMEOUT_MS))
    return true
  } catch (err) {
    console.warn(
      `[registry] could not tell the inference service that ${id}@${version} was yanked: ${err instanceof Error ? err.message : String(err)}`,
    )
    return false
  }
}
