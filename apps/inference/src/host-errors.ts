/**
 * Why the host refused a suggest before any plugin code ran. The router maps each to an HTTP-level tRPC
 * code, and the web server shows the musician a message (and a retry for `busy`).
 */
export type HostErrorCode = 'not_found' | 'unavailable' | 'busy'

export class HostError extends Error {
  override readonly name = 'HostError'
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message)
  }
}
