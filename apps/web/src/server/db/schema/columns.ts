import { customType } from 'drizzle-orm/pg-core'

/**
 * Binary column. drizzle has no built-in `bytea`; node-postgres (for PostgreSQL and the embedded
 * PGlite alike) returns a Buffer, a Uint8Array subclass, so no copy is needed.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => value,
})
