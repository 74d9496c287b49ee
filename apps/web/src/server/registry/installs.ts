import type { PluginManifest } from '@ensemble/core/plugin'
import { TRPCError } from '@trpc/server'
import { and, asc, eq } from 'drizzle-orm'
import { type Db, schema } from '../db'
import { latestRunnable } from './catalogue'

/**
 * Which plugin versions a project has installed: one version per plugin, chosen by the owner after
 * the install dialog showed its capabilities. Callers check the role (projects/access.ts) first.
 */

export interface Install {
  pluginId: string
  version: string
  name: string
  description: string
  author: string
  publisher: string
  kind: PluginManifest['kind']
  trackKinds: PluginManifest['trackKinds']
  capabilities: PluginManifest['capabilities']
  licence: string
  parameters: PluginManifest['parameters']
  /** What its models were trained on, as its publisher says (null: not said). */
  training: NonNullable<PluginManifest['training']> | null
  installedAt: string
  installedBy: string | null
  /** A yanked version stays listed (so the owner sees why it stopped) but never runs. */
  yankedAt: string | null
  yankReason: string | null
}

export async function listInstalls(db: Db, projectId: string): Promise<Install[]> {
  const rows = await db
    .select({
      pluginId: schema.projectPlugins.pluginId,
      version: schema.projectPlugins.version,
      installedAt: schema.projectPlugins.installedAt,
      installedBy: schema.users.name,
      manifest: schema.pluginVersions.manifest,
      capabilities: schema.pluginVersions.capabilities,
      licence: schema.pluginVersions.licence,
      kind: schema.pluginVersions.kind,
      yankedAt: schema.pluginVersions.yankedAt,
      yankReason: schema.pluginVersions.yankReason,
      publisher: schema.publishers.name,
    })
    .from(schema.projectPlugins)
    .innerJoin(
      schema.pluginVersions,
      and(
        eq(schema.pluginVersions.pluginId, schema.projectPlugins.pluginId),
        eq(schema.pluginVersions.version, schema.projectPlugins.version),
      ),
    )
    .innerJoin(schema.plugins, eq(schema.plugins.id, schema.projectPlugins.pluginId))
    .innerJoin(schema.publishers, eq(schema.publishers.id, schema.plugins.publisherId))
    .leftJoin(schema.users, eq(schema.users.id, schema.projectPlugins.installedBy))
    .where(eq(schema.projectPlugins.projectId, projectId))
    .orderBy(asc(schema.projectPlugins.pluginId))
  return rows.map((r) => ({
    pluginId: r.pluginId,
    version: r.version,
    name: r.manifest.name,
    description: r.manifest.description,
    author: r.manifest.author,
    publisher: r.publisher,
    kind: r.kind,
    trackKinds: r.manifest.trackKinds,
    capabilities: r.capabilities,
    licence: r.licence,
    parameters: r.manifest.parameters,
    training: r.manifest.training ?? null,
    installedAt: r.installedAt.toISOString(),
    installedBy: r.installedBy,
    yankedAt: r.yankedAt?.toISOString() ?? null,
    yankReason: r.yankReason,
  }))
}

/**
 * Installs `version` (the highest runnable one when left out), replacing any other version of the
 * same plugin in this project. A yanked version cannot be installed.
 */
export async function installPlugin(
  db: Db,
  input: { projectId: string; pluginId: string; version?: string | undefined; userId: string },
): Promise<{ pluginId: string; version: string }> {
  const versions = await db
    .select({ version: schema.pluginVersions.version, yankedAt: schema.pluginVersions.yankedAt })
    .from(schema.pluginVersions)
    .where(eq(schema.pluginVersions.pluginId, input.pluginId))
  if (versions.length === 0)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `There is no plugin ${input.pluginId} in the registry.`,
    })
  const chosen =
    input.version === undefined ? latestRunnable(versions) : versions.find((v) => v.version === input.version)
  if (chosen === undefined)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${input.pluginId} has no version ${input.version}.`,
    })
  if (chosen === null)
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: `Every version of ${input.pluginId} was withdrawn by its publisher; there is nothing to install.`,
    })
  if (chosen.yankedAt !== null)
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: `${input.pluginId} ${chosen.version} was withdrawn by its publisher and cannot be installed.`,
    })
  await db
    .insert(schema.projectPlugins)
    .values({
      projectId: input.projectId,
      pluginId: input.pluginId,
      version: chosen.version,
      installedBy: input.userId,
    })
    .onConflictDoUpdate({
      target: [schema.projectPlugins.projectId, schema.projectPlugins.pluginId],
      set: { version: chosen.version, installedBy: input.userId, installedAt: new Date() },
    })
  return { pluginId: input.pluginId, version: chosen.version }
}

export async function uninstallPlugin(db: Db, projectId: string, pluginId: string): Promise<void> {
  const removed = await db
    .delete(schema.projectPlugins)
    .where(and(eq(schema.projectPlugins.projectId, projectId), eq(schema.projectPlugins.pluginId, pluginId)))
    .returning({ pluginId: schema.projectPlugins.pluginId })
  if (removed.length === 0)
    throw new TRPCError({ code: 'BAD_REQUEST', message: `${pluginId} is not installed in this project.` })
}
