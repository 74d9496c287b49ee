import { z } from 'zod'
import { TONIC_PATTERN } from './pitch'
import { type Key, MODES } from './scales'
import { DENOMINATORS, type TimeSignature } from './time'

/*
 * The music facts as zod schemas, for the song model and the plugin contract to validate against. Kept apart
 * from the pure tables and functions, so the sandbox's plugin shim (which bundles core's theory into every
 * third-party plugin) does not pull zod in.
 */

export const TimeSignatureSchema = z.strictObject({
  numerator: z.int().min(1).max(32),
  denominator: z.literal(DENOMINATORS),
}) satisfies z.ZodType<TimeSignature>

export const KeySchema = z.strictObject({
  tonic: z.string().regex(TONIC_PATTERN, 'tonic must be a pitch class such as C, F# or Bb'),
  mode: z.enum(MODES),
}) satisfies z.ZodType<Key>
