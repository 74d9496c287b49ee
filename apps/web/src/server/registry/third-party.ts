import type { PluginManifest, PluginTrackKind } from '@ensemble/core/plugin'
import { and, eq } from 'drizzle-orm'
import { type Db, schema } from '../db'
import { listInstalls } from './installs'

/*
 * Third-party plugins in the AI panel and in `ai.suggest`. A plugin id that the registry knows is
 * third-party (first-party ids are reserved, see publish.ts); it runs only in projects that
 * installed it, only in the installed version, and never once yanked. Running it is one call to the
 * inference service like any plugin's: a service that does not hold the version yet fetches its
 * archive from this server (archive-route.ts); nothing is sent from here.
 */

/** What `ai.plugins` lists for an installed plugin, beside the first-party ones. */
export interface ThirdPartyEntry {
  id: string
  version: string
  name: string
  kind: PluginManifest['kind']
  trackKinds: PluginManifest['trackKinds']
  description: string
  author: string
  parameters: PluginManifest['parameters']
  thirdParty: true
  publisher: string
  capabilities: PluginManifest['capabilities']
  training: NonNullable<PluginManifest['training']> | null
}

export async function installedForPanel(
  db: Db,
  projectId: string,
  trackKind?: PluginTrackKind,
): Promise<ThirdPartyEntry[]> {
  const installs = await listInstalls(db, projectId)
  return installs
    .filter((i) => i.yankedAt === null)
    .filter((i) => trackKind === undefined || i.trackKinds.includes(trackKind))
    .map((i) => ({
      id: i.pluginId,
      version: i.version,
      name: i.name,
      kind: i.kind,
      trackKinds: i.trackKinds,
      description: i.description,
      author: i.author,
      parameters: i.parameters,
      thirdParty: true as const,
      publisher: i.publisher,
      capabilities: i.capabilities,
      training: i.training,
    }))
}

/** A refusal before the plugin ran; the AI router audits it as `outcome` and shows the message. */
export class ThirdPartyRefusal extends Error {
  constructor(
    readonly outcome: 'not_installed' | 'yanked',
    message: string,
    /** The version that was refused, when one was installed. */
    readonly version: string | null,
  ) {
    super(message)
  }
}

const refuse = (outcome: 'not_installed' | 'yanked', message: string, version: string | null = null) =>
  new ThirdPartyRefusal(outcome, message, version)

export type SuggestTarget =
  | { thirdParty: false }
  | { thirdParty: true; pluginId: string; name: string; version: string; publisherId: string }

/**
 * Decides how `ai.suggest` runs `pluginId` in this project: as a first-party plugin (the registry
 * has never heard of it), or as the installed third-party version. Throws `ThirdPartyRefusal` when
 * the project did not install it or the installed version was yanked. Reads the database on every
 * call: that read is the kill list.
 */
export async function suggestTarget(db: Db, projectId: string, pluginId: string): Promise<SuggestTarget> {
  const [known] = await db
    .select({ id: schema.plugins.id, publisherId: schema.plugins.publisherId })
    .from(schema.plugins)
    .where(eq(schema.plugins.id, pluginId))
  if (known === undefined) return { thirdParty: false }
  const [installed] = await db
    .select({
      version: schema.projectPlugins.version,
      name: schema.pluginVersions.name,
      yankedAt: schema.pluginVersions.yankedAt,
      yankReason: schema.pluginVersions.yankReason,
    })
    .from(schema.projectPlugins)
    .innerJoin(
      schema.pluginVersions,
      and(
        eq(schema.pluginVersions.pluginId, schema.projectPlugins.pluginId),
        eq(schema.pluginVersions.version, schema.projectPlugins.version),
      ),
    )
    .where(and(eq(schema.projectPlugins.projectId, projectId), eq(schema.projectPlugins.pluginId, pluginId)))
  if (installed === undefined)
    throw refuse(
      'not_installed',
      'This plugin is not installed in this song. The song’s owner can install it from the plugin gallery.',
    )
  if (installed.yankedAt !== null)
    throw refuse(
      'yanked',
      `The publisher withdrew ${pluginId} ${installed.version}${installed.yankReason ? ` (${installed.yankReason})` : ''}; it no longer runs.`,
      installed.version,
    )
  return {
    thirdParty: true,
    pluginId,
    name: installed.name,
    version: installed.version,
    publisherId: known.publisherId,
  }
}
