import type { PluginManifest, PluginTrackKind } from '@ensemble/core/plugin'
import { type InferenceClient, inferenceFailureReason } from '@ensemble/inference/client'
import { and, eq } from 'drizzle-orm'
import { type AiFailure, aiFailure } from '../ai/errors'
import { type Db, schema } from '../db'
import { listInstalls } from './installs'

/**
 * Third-party plugins in the AI panel and in `ai.suggest`. A plugin id that the registry knows is
 * third-party (first-party ids are reserved, see publish.ts); it runs only in projects that
 * installed it, only in the installed version, and never once yanked. The inference service keeps
 * loaded archives in memory; when it answers `not_loaded` (a restart, another replica) the archive
 * is sent from the database and the call is tried once more.
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
    }))
}

/** A refusal before the plugin ran, as the AI router audits and reports it. */
export class ThirdPartyRefusal extends Error {
  constructor(
    readonly failure: AiFailure,
    /** The version that was refused, when one was installed. */
    readonly version: string | null,
  ) {
    super(failure.error.message)
  }
}

const refuse = (outcome: 'not_installed' | 'yanked', message: string, version: string | null = null) =>
  new ThirdPartyRefusal(aiFailure('plugin_unavailable', outcome, 'PRECONDITION_FAILED', message), version)

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

type SuggestRequest = Parameters<InferenceClient['suggest']['mutate']>[0]
type Caller = NonNullable<SuggestRequest['caller']>
type SuggestResult = Awaited<ReturnType<InferenceClient['suggest']['mutate']>>

/**
 * Runs the installed version; loads its archive into the service first if the service does not hold it.
 * The service counts the call against the user and the plugin's publisher (their fair shares).
 */
export async function suggestThirdParty(
  db: Db,
  client: InferenceClient,
  target: { pluginId: string; version: string; publisherId: string },
  input: SuggestRequest['input'],
  caller: Omit<Caller, 'publisher'>,
  signal: AbortSignal,
): Promise<SuggestResult> {
  const call = () =>
    client.suggest.mutate(
      {
        pluginId: target.pluginId,
        version: target.version,
        input,
        caller: { ...caller, publisher: target.publisherId },
      },
      { signal },
    )
  try {
    return await call()
  } catch (err) {
    if (inferenceFailureReason(err) !== 'not_loaded') throw err
  }
  const [row] = await db
    .select({ archive: schema.pluginVersions.archive, yankedAt: schema.pluginVersions.yankedAt })
    .from(schema.pluginVersions)
    .where(
      and(
        eq(schema.pluginVersions.pluginId, target.pluginId),
        eq(schema.pluginVersions.version, target.version),
      ),
    )
  // Yanked between the check and now: never hand a yanked archive to the service.
  if (row === undefined || row.yankedAt !== null)
    throw refuse(
      'yanked',
      `The publisher withdrew ${target.pluginId} ${target.version}; it no longer runs.`,
      target.version,
    )
  await client.thirdParty.load.mutate({ archive: Buffer.from(row.archive).toString('base64') }, { signal })
  return call()
}
