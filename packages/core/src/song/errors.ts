import type { z } from 'zod'

export type SongErrorCode =
  | 'invalid_value'
  | 'track_not_found'
  | 'clip_not_found'
  | 'note_not_found'
  | 'out_of_range'
  | 'unsupported'
  | 'unknown_version'
  | 'proposal_not_found'
  | 'take_not_found'
  | 'device_not_found'
  | 'bus_not_found'
  | 'preset_not_found'
  | 'too_many'

/**
 * The one error every song operation throws. An operation that throws has changed nothing, so a caller can
 * show `message` and carry on with the same doc.
 */
export class SongError extends Error {
  override readonly name = 'SongError'
  constructor(
    readonly code: SongErrorCode,
    message: string,
    readonly issues: readonly z.core.$ZodIssue[] = [],
  ) {
    super(message)
  }
}
