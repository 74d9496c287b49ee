/**
 * The one pg-core schema shared by PGlite and PostgreSQL. One file per area, re-exported here
 * (drizzle-kit reads this file, see drizzle.config.ts).
 */
export * from './accounts'
export * from './ai'
export * from './assets'
export * from './changes'
export * from './collab'
export * from './discussion'
export * from './projects'
export * from './registry'
export * from './versions'
