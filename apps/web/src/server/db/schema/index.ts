/**
 * The one pg-core schema shared by PGlite and PostgreSQL. One file per area; later issues add
 * `accounts.ts`, `projects.ts`, `versions.ts`, … and re-export them here (drizzle-kit reads this
 * file, see drizzle.config.ts).
 */
export * from './collab'
