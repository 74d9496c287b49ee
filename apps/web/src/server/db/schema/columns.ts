import { customType } from 'drizzle-orm/pg-core'

/**
 * Binary column. drizzle has no built-in `bytea`; node-postgres returns a Buffer and PGlite a
 * Uint8Array, so both are normalised to a plain Uint8Array view (Buffer is a subclass, no copy).
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => value,
})
