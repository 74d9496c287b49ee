import {
  highestSatisfying,
  type PluginManifest,
  SUGGEST_KINDS,
  type SuggestKind,
} from '@ensemble/core/plugin'
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import { z } from 'zod'
import { type Db, schema } from '../db'

/**
 * What the gallery and the install dialog read: plugins with their publisher and every version
 * (newest published first), each version's capabilities, licence and hashes. Never the archive bytes.
 */

export const pluginIdInput = z.string().min(1).max(200)
export const versionInput = z.string().min(1).max(64)

export const searchInput = z.object({
  query: z.string().trim().max(200).default(''),
  kind: z.enum(SUGGEST_KINDS).optional(),
  limit: z.int().min(1).max(100).default(50),
})

export interface CatalogueVersion {
  version: string
  name: string
  description: string
  author: string
  kind: SuggestKind
  trackKinds: PluginManifest['trackKinds']
  capabilities: PluginManifest['capabilities']
  licence: string
  parameters: PluginManifest['parameters']
  /** The models the plugin may run (asset ids), so the install dialog can name them. */
  models: string[]
  archiveSha256: string
  bundleSha256: string
  archiveBytes: number
  publishedAt: string
  yankedAt: string | null
  yankReason: string | null
}

export interface CataloguePlugin {
  id: string
  publisher: string
  /** The highest version that is not yanked; null when every version was yanked. */
  latest: CatalogueVersion | null
  versions: CatalogueVersion[]
}

const versionColumns = {
  pluginId: schema.pluginVersions.pluginId,
  version: schema.pluginVersions.version,
  manifest: schema.pluginVersions.manifest,
  kind: schema.pluginVersions.kind,
  capabilities: schema.pluginVersions.capabilities,
  licence: schema.pluginVersions.licence,
  archiveSha256: schema.pluginVersions.archiveSha256,
  bundleSha256: schema.pluginVersions.bundleSha256,
  archiveBytes: schema.pluginVersions.archiveBytes,
  publishedAt: schema.pluginVersions.publishedAt,
  yankedAt: schema.pluginVersions.yankedAt,
  yankReason: schema.pluginVersions.yankReason,
  publisher: schema.publishers.name,
}

function toVersion(row: VersionRow): CatalogueVersion {
  const m = row.manifest
  return {
    version: row.version,
    name: m.name,
    description: m.description,
    author: m.author,
    kind: row.kind,
    trackKinds: m.trackKinds,
    capabilities: row.capabilities,
    licence: row.licence,
    parameters: m.parameters,
    models: m.assets.map((a) => a.id),
    archiveSha256: row.archiveSha256,
    bundleSha256: row.bundleSha256,
    archiveBytes: row.archiveBytes,
    publishedAt: row.publishedAt.toISOString(),
    yankedAt: row.yankedAt?.toISOString() ?? null,
    yankReason: row.yankReason,
  }
}

const selectVersions = (db: Db, pluginIds: readonly string[]) =>
  db
    .select(versionColumns)
    .from(schema.pluginVersions)
    .innerJoin(schema.plugins, eq(schema.plugins.id, schema.pluginVersions.pluginId))
    .innerJoin(schema.publishers, eq(schema.publishers.id, schema.plugins.publisherId))
    .where(inArray(schema.pluginVersions.pluginId, [...pluginIds]))
    .orderBy(desc(schema.pluginVersions.publishedAt))

type VersionRow = Awaited<ReturnType<typeof selectVersions>>[number]

/** The highest semver among versions that still run. */
export function latestRunnable<V extends { version: string; yankedAt: unknown }>(
  versions: readonly V[],
): V | null {
  const runnable = versions.filter((v) => v.yankedAt === null)
  const best = highestSatisfying(
    runnable.map((v) => v.version),
    '*',
  )
  return runnable.find((v) => v.version === best) ?? runnable[0] ?? null
}

async function versionsOf(db: Db, pluginIds: readonly string[]): Promise<CataloguePlugin[]> {
  if (pluginIds.length === 0) return []
  const rows = await selectVersions(db, pluginIds)
  const byId = new Map<string, CataloguePlugin>()
  for (const row of rows) {
    let plugin = byId.get(row.pluginId)
    if (plugin === undefined) {
      plugin = { id: row.pluginId, publisher: row.publisher, latest: null, versions: [] }
      byId.set(row.pluginId, plugin)
    }
    plugin.versions.push(toVersion(row))
  }
  for (const plugin of byId.values()) plugin.latest = latestRunnable(plugin.versions)
  return pluginIds.flatMap((id) => byId.get(id) ?? [])
}

/**
 * Plugins whose id, name, description or publisher contains every word of the query (any version),
 * optionally of one kind. Ordered by id; the list is the gallery's, so it stays small.
 */
export async function searchPlugins(db: Db, input: z.infer<typeof searchInput>): Promise<CataloguePlugin[]> {
  const words = input.query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8)
  const text = sql`lower(${schema.pluginVersions.pluginId} || ' ' || ${schema.pluginVersions.name} || ' ' || ${schema.publishers.name} || ' ' || (${schema.pluginVersions.manifest}->>'description'))`
  const conditions = [
    ...words.map((w) => sql`strpos(${text}, ${w}) > 0`),
    ...(input.kind === undefined ? [] : [eq(schema.pluginVersions.kind, input.kind)]),
  ]
  const ids = await db
    .selectDistinct({ id: schema.pluginVersions.pluginId })
    .from(schema.pluginVersions)
    .innerJoin(schema.plugins, eq(schema.plugins.id, schema.pluginVersions.pluginId))
    .innerJoin(schema.publishers, eq(schema.publishers.id, schema.plugins.publisherId))
    .where(conditions.length === 0 ? undefined : and(...conditions))
    .orderBy(asc(schema.pluginVersions.pluginId))
    .limit(input.limit)
  const plugins = await versionsOf(
    db,
    ids.map((r) => r.id),
  )
  // The kind filter applies to what the gallery shows: a plugin whose versions changed kind lists only matching ones.
  return input.kind === undefined
    ? plugins
    : plugins.map((p) => {
        const versions = p.versions.filter((v) => v.kind === input.kind)
        return { ...p, versions, latest: latestRunnable(versions) }
      })
}

export async function describePlugin(db: Db, pluginId: string): Promise<CataloguePlugin | null> {
  const [plugin] = await versionsOf(db, [pluginId])
  return plugin ?? null
}

/** Every plugin a publisher owns, for their Publisher page (where they yank versions). */
export async function pluginsOfPublisher(db: Db, publisherId: string): Promise<CataloguePlugin[]> {
  const ids = await db
    .select({ id: schema.plugins.id })
    .from(schema.plugins)
    .where(eq(schema.plugins.publisherId, publisherId))
    .orderBy(asc(schema.plugins.id))
  return versionsOf(
    db,
    ids.map((r) => r.id),
  )
}
