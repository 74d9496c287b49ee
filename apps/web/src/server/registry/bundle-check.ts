import { type InferenceClient, inferenceFailureReason } from '@ensemble/inference/client'

/**
 * The publish route's check that a bundle can run at all: the inference service loads it once in its
 * sandbox, with a short budget, and says why it cannot (it does not parse, imports a module, throws or loops
 * at load, or is not the plugin its manifest declares). Without it the registry stored such bundles and the
 * musician met a generic "plugin failed" later. When the service cannot check, nothing is published: an
 * unchecked bundle is exactly what this is here to keep out.
 */

/** How long the publish route waits for the service's check (its sandbox gives the bundle 2 s). */
const CHECK_TIMEOUT_MS = 15_000

export type BundleVerdict =
  | { ok: true }
  | { ok: false; status: 400 | 503; code: 'bad_bundle' | 'check_unavailable'; message: string }

export type BundleCheck = (archive: Uint8Array) => Promise<BundleVerdict>

export function inferenceBundleCheck(client: InferenceClient): BundleCheck {
  return async (archive) => {
    try {
      await client.thirdParty.check.mutate(
        { archive: Buffer.from(archive).toString('base64') },
        { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) },
      )
      return { ok: true }
    } catch (err) {
      if (inferenceFailureReason(err) === 'bad_bundle')
        return {
          ok: false,
          status: 400,
          code: 'bad_bundle',
          message: `The plugin's code cannot run, so it was not published: ${err instanceof Error ? err.message : String(err)}`,
        }
      console.warn(
        `[registry] could not check a bundle at publish: ${err instanceof Error ? err.message : String(err)}`,
      )
      return {
        ok: false,
        status: 503,
        code: 'check_unavailable',
        message:
          'The studio could not check the plugin’s code right now (its AI service is not answering), so nothing was published. Try again in a moment.',
      }
    }
  }
}
