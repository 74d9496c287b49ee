import { CliError } from '../cli-error'

export interface PublishOptions {
  registry: string
  token: string
  archive: Uint8Array
}

export interface Published {
  status: number
  /** The registry's JSON answer (id, version, digests), or null when it sent none. */
  body: Record<string, unknown> | null
}

export const PUBLISH_PATH = '/api/plugins/publish'

/** The registry's own words for a refusal, whichever of the usual JSON shapes it used. */
function reasonOf(body: unknown, text: string): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; error?: unknown }
    // The studio answers `{ error: <stable code>, message: <sentence> }`.
    if (typeof b.message === 'string')
      return typeof b.error === 'string' ? `${b.error}: ${b.message}` : b.message
    if (typeof b.error === 'string') return b.error
    if (b.error && typeof b.error === 'object') {
      const e = b.error as { message?: unknown; code?: unknown }
      if (typeof e.message === 'string')
        return typeof e.code === 'string' ? `${e.code}: ${e.message}` : e.message
    }
  }
  return text.trim().slice(0, 500) || 'no reason given'
}

/** POSTs the archive bytes to `<registry>/api/plugins/publish` with the publisher token as a bearer token. */
export async function publishArchive(options: PublishOptions): Promise<Published> {
  let url: URL
  try {
    url = new URL(PUBLISH_PATH, options.registry)
  } catch {
    throw new CliError(`--registry "${options.registry}" is not a URL such as https://studio.example.org`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new CliError(`--registry must be an http(s) URL; got ${url.protocol}`)
  if (!options.token) throw new CliError('no publisher token: pass --token or set ENSEMBLE_PUBLISH_TOKEN')

  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': 'application/octet-stream',
      },
      body: new Uint8Array(options.archive),
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new CliError(
      `could not reach the registry at ${url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    )
  }
  const text = await response.text()
  let body: unknown = null
  try {
    body = JSON.parse(text)
  } catch {
    body = null
  }
  if (!response.ok) {
    const hint =
      response.status === 401
        ? ' (check the publisher token)'
        : response.status === 404
          ? ` (is ${url.origin} an Ensemble studio with a plugin registry?)`
          : ''
    throw new CliError(`publish refused (${response.status}): ${reasonOf(body, text)}${hint}`)
  }
  return {
    status: response.status,
    body: body && typeof body === 'object' ? (body as Record<string, unknown>) : null,
  }
}
