import { assetHash } from '../../wire/assets'
import type { Route } from '../http'
import { projectId as projectIdInput } from '../projects/inputs'
import { refuse } from './access'
import { serveAsset, servePeaks } from './download-route'
import { type UploadRouteOptions, uploadHandler } from './upload-route'

/**
 * Mounts the assets API under `/api/projects/<projectId>/assets/` (docs/PROTOCOL.md, "Audio assets"):
 * `uploads` (tus), `uploads/<id>`, `<sha256>`, `<sha256>/peaks`. Anything else under the prefix is 404.
 */
export function assetsRoute(options: UploadRouteOptions): Route {
  const upload = uploadHandler(options)
  return async (req, res, url) => {
    const match = /^\/api\/projects\/([^/]+)\/assets\/(.+)$/.exec(url.pathname)
    if (match === null) return false
    let projectId: string
    try {
      projectId = decodeURIComponent(match[1]!)
    } catch {
      projectId = ''
    }
    const parts = match[2]!.split('/')
    if (!projectIdInput.safeParse(projectId).success) refuse(res, 404, 'not_found', 'No such project.')
    else if (parts[0] === 'uploads' && parts.length <= 2) await upload(req, res, projectId, parts[1] ?? null)
    else if (!assetHash.safeParse(parts[0]).success || parts.length > 2 || (parts[1] ?? 'peaks') !== 'peaks')
      refuse(res, 404, 'not_found', 'Assets are named by their lowercase hex SHA-256.')
    else if (parts.length === 1) await serveAsset(options, req, res, projectId, parts[0]!)
    else
      await servePeaks(
        { ...options, quotaBytes: options.limits.projectQuotaBytes },
        req,
        res,
        projectId,
        parts[0]!,
      )
    return true
  }
}
