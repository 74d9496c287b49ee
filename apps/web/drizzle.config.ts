import { defineConfig } from 'drizzle-kit'

// Migrations are generated against the pg-core schema and run unchanged on PGlite and PostgreSQL.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/db/schema/index.ts',
  out: './drizzle',
})
