import { z } from 'zod'
import { type ContractIssue, issuesFromZod, PluginError } from './errors'
import { ParameterSpecSchema } from './parameters'
import { isVersion, isVersionRange, PLUGIN_HOST_API, versionSatisfies } from './version'

/*
 * What a plugin says about itself. The registry, the AI panel and the inference service all read this one
 * declaration; nothing about a plugin is known except through it.
 */

/** `live`: a partner that plays along with a player in a jam (live.ts), not a one-off `suggest`. */
export const PLUGIN_KINDS = ['generator', 'arranger', 'harmonizer', 'live'] as const
export type PluginKind = (typeof PLUGIN_KINDS)[number]
/** The kinds answered by one `suggest` call: what the inference service, the sandbox and the registry run. */
export const SUGGEST_KINDS = ['generator', 'arranger', 'harmonizer'] as const satisfies readonly PluginKind[]
export type SuggestKind = (typeof SUGGEST_KINDS)[number]

/** The contract's own list, equal to the song's track kinds; kept here so the wire format is versioned with it. */
export const PLUGIN_TRACK_KINDS = ['instrument', 'drums', 'audio'] as const
export type PluginTrackKind = (typeof PLUGIN_TRACK_KINDS)[number]

/**
 * What the host hands a plugin beyond its input. `models`: run the plugin's declared model assets;
 * `theory`: the music-theory helpers. A seeded random source is always there: it cannot leak anything.
 */
export const PLUGIN_CAPABILITIES = ['models', 'theory'] as const
export type PluginCapability = (typeof PLUGIN_CAPABILITIES)[number]

/**
 * `tfjs-layers` and `tfjs-graph`: a model.json a host runs as it is. `tfjs-functional`: named weights and a
 * config in the model.json, whose graph is code; only a host that holds that code (first-party plugins,
 * registered with a runtime for the asset) can run it, so a sandboxed third-party plugin cannot use it.
 */
export const PLUGIN_ASSET_FORMATS = ['tfjs-layers', 'tfjs-graph', 'tfjs-functional'] as const

/** At least three labels (`org.example.drums`): the owner's domain reversed, then the plugin's own name. */
const pluginId = z
  .string()
  .max(200)
  .regex(
    /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){2,}$/,
    'must be a reverse-DNS id in lower case with at least three labels, such as org.example.drums',
  )

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest: 64 lower-case hex characters')

/** Inside the plugin's own asset folder: a host resolves it against that folder and nowhere else. */
const relativePath = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.includes('\\') &&
      p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'must be a relative path with / separators and no empty, . or .. segments',
  )

const weightsFile = z.strictObject({ path: relativePath, sha256 })

/**
 * A tfjs model: its `model.json` and every weights file it names, each with its digest. Weights paths are
 * relative to the model.json's folder, exactly as the model.json's weightsManifest spells them, so a host
 * can refuse any file the manifest did not pin.
 */
export const PluginAssetSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z][a-zA-Z0-9_-]{0,63}$/, 'must start with a lower-case letter; letters, digits, _ or -'),
    format: z.enum(PLUGIN_ASSET_FORMATS),
    path: relativePath.refine((p) => p.endsWith('.json'), 'must name the model.json file'),
    sha256,
    weights: z.array(weightsFile).min(1, 'a model needs at least one weights file').max(64),
  })
  .superRefine((asset, ctx) => {
    const seen = new Set<string>()
    asset.weights.forEach((w, i) => {
      if (seen.has(w.path))
        ctx.addIssue({
          code: 'custom',
          path: ['weights', i, 'path'],
          message: `duplicate weights file "${w.path}"`,
        })
      seen.add(w.path)
    })
  })
export type PluginAsset = z.infer<typeof PluginAssetSchema>

function uniqueValues<T>(values: readonly T[]): boolean {
  return new Set(values).size === values.length
}

export const PluginManifestSchema = z
  .strictObject({
    id: pluginId,
    name: z.string().min(1, 'must not be empty').max(80),
    version: z.string().max(64).refine(isVersion, 'must be a semver version such as 1.2.0'),
    hostApi: z.string().max(64).refine(isVersionRange, 'must be a semver range such as ^1.0.0'),
    kind: z.enum(PLUGIN_KINDS),
    description: z.string().min(1, 'must not be empty').max(2000),
    author: z.string().min(1, 'must not be empty').max(200),
    licence: z.string().min(1, 'must not be empty').max(100),
    trackKinds: z
      .array(z.enum(PLUGIN_TRACK_KINDS))
      .min(1, 'name at least one track kind the plugin fits')
      .refine(uniqueValues, 'must not repeat a track kind'),
    parameters: z.array(ParameterSpecSchema).max(32),
    assets: z.array(PluginAssetSchema).max(8),
    capabilities: z.array(z.enum(PLUGIN_CAPABILITIES)).refine(uniqueValues, 'must not repeat a capability'),
    /**
     * What the plugin's models were trained on, said where a band chooses it (the studio's AI panel): the
     * styles, eras, regions and instruments it knows, and what it does not. Optional: a plugin without a
     * model has nothing to say here.
     */
    training: z
      .strictObject({
        knows: z.string().min(1).max(600),
        doesNotKnow: z.string().min(1).max(600),
      })
      .optional(),
  })
  .superRefine((manifest, ctx) => {
    const ids = new Set<string>()
    manifest.parameters.forEach((p, i) => {
      if (ids.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', i, 'id'],
          message: `duplicate parameter id "${p.id}"`,
        })
      ids.add(p.id)
    })
    const assetIds = new Set<string>()
    manifest.assets.forEach((a, i) => {
      if (assetIds.has(a.id))
        ctx.addIssue({ code: 'custom', path: ['assets', i, 'id'], message: `duplicate asset id "${a.id}"` })
      assetIds.add(a.id)
    })
    // Capabilities are what the registry shows before a project installs a plugin, so they must be truthful.
    const declaresModels = manifest.capabilities.includes('models')
    if (declaresModels && manifest.assets.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['assets'],
        message: 'the models capability needs at least one asset',
      })
    if (!declaresModels && manifest.assets.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['capabilities'],
        message: 'assets are declared, so add "models"',
      })
  })

export type PluginManifest = z.infer<typeof PluginManifestSchema>
/** What an author writes: the same shape, with readonly arrays so `as const` manifests are accepted. */
export type PluginManifestInput = z.input<typeof PluginManifestSchema>

export type ManifestCheck = { ok: true; manifest: PluginManifest } | { ok: false; issues: ContractIssue[] }

/** Every problem in a candidate manifest, for the registry and the SDK's `check` command. */
export function checkManifest(value: unknown): ManifestCheck {
  const parsed = PluginManifestSchema.safeParse(value)
  return parsed.success
    ? { ok: true, manifest: parsed.data }
    : { ok: false, issues: issuesFromZod(parsed.error) }
}

export function parseManifest(value: unknown): PluginManifest {
  const checked = checkManifest(value)
  if (!checked.ok) throw new PluginError('invalid_manifest', checked.issues, 'invalid plugin manifest')
  return checked.manifest
}

/** A host refuses a plugin written for another contract version rather than fail inside `suggest`. */
export function assertHostCompatible(manifest: PluginManifest, hostApi: string = PLUGIN_HOST_API): void {
  if (!versionSatisfies(hostApi, manifest.hostApi))
    throw new PluginError(
      'incompatible_host',
      [
        {
          path: 'hostApi',
          message: `${manifest.id} needs host API ${manifest.hostApi}; this host has ${hostApi}`,
        },
      ],
      'incompatible plugin',
    )
}
