/*
 * A published model's manifest asset, its digests taken from the publish step's weights.json. Pure: Node
 * hosts read weights.json from disk (assets.ts), the studio's partner worker fetches it (live/in-page.ts).
 */

/**
 * Pins nothing can match. Used when weights.json is absent or unreadable (the model was never published):
 * the manifest must still be well-formed, and the host then lists the plugin as unavailable (file missing,
 * or a digest that cannot match), never as a plugin without trained weights that pretends to work.
 */
export const UNPUBLISHED = '0'.repeat(64)

/** The manifest asset of `<model>/weights/`, pinned by `weightsJson` (the parsed weights.json, or null). */
export function pinnedAsset(model: string, weightsJson: unknown, id = model) {
  const files =
    typeof weightsJson === 'object' && weightsJson !== null && 'files' in weightsJson
      ? (weightsJson as { files?: Record<string, { sha256?: unknown } | undefined> }).files
      : undefined
  const digest = (name: string): string => {
    const value = files?.[name]?.sha256
    return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : UNPUBLISHED
  }
  return {
    id,
    format: 'tfjs-functional' as const,
    path: `${model}/weights/model.json`,
    sha256: digest('model.json'),
    weights: [{ path: 'model.weights.bin', sha256: digest('model.weights.bin') }],
  }
}
