import { z } from 'zod'

/**
 * The audio assets' HTTP API as both sides name it (server/assets/, client/assets/): paths, the tus
 * metadata keys, and the shape of every refusal. Browser-safe. See docs/PROTOCOL.md, "Audio assets".
 */

/** Lowercase hex SHA-256 of a file's bytes: an asset's id. */
export const assetHash = z.string().regex(/^[0-9a-f]{64}$/, 'not a lowercase hex SHA-256')

export const assetsPath = (projectId: string): string =>
  `/api/projects/${encodeURIComponent(projectId)}/assets`
/** tus creation endpoint (POST); an upload's URL is `<this>/<uploadId>`. */
export const uploadsPath = (projectId: string): string => `${assetsPath(projectId)}/uploads`
export const assetPath = (projectId: string, sha256: string): string => `${assetsPath(projectId)}/${sha256}`
export const peaksPath = (projectId: string, sha256: string): string =>
  `${assetPath(projectId, sha256)}/peaks`

/** Keys of the tus Upload-Metadata header the server reads. */
export const UploadMetadata = { sha256: 'sha256', filename: 'filename', filetype: 'filetype' } as const

/** Most bytes of peaks one asset may have (core's `encodePeaks` output is far smaller). */
export const MAX_PEAKS_BYTES = 4 * 1024 * 1024

/** Every refusal's body: a stable code to branch on and a sentence to show. */
export const assetRefusal = z.object({ error: z.string(), message: z.string() })
export type AssetRefusal = z.infer<typeof assetRefusal>
