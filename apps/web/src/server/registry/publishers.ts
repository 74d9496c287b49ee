import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { and, desc, eq, isNull } from 'drizzle-orm'
import { z } from 'zod'
import { displayText } from '../../text/display-text'
import { type Db, schema } from '../db'

/**
 * Publishers: an account with a public name may upload plugins. Uploads authenticate with a bearer
 * token (the CLI has no browser session); only its SHA-256 is stored, so the token is shown once and
 * a database leak does not leak a way to publish.
 */

export const publisherName = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/,
    'Publisher name: 3 to 40 lower-case letters, digits or dashes, not starting or ending with a dash',
  )

export const tokenLabel = displayText('Token label', 80)

/** Recognisable in logs and secret scanners; the 32 random bytes are the secret. */
const TOKEN_PREFIX = 'ens_pub_'

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

export interface Publisher {
  id: string
  name: string
  userId: string
  createdAt: Date
}

export async function publisherOf(db: Db, userId: string): Promise<Publisher | null> {
  const [row] = await db.select().from(schema.publishers).where(eq(schema.publishers.userId, userId))
  return row ?? null
}

export async function requirePublisher(db: Db, userId: string): Promise<Publisher> {
  const publisher = await publisherOf(db, userId)
  if (publisher === null)
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Only publishers can do this: choose a publisher name first.',
    })
  return publisher
}

export async function becomePublisher(db: Db, userId: string, name: string): Promise<Publisher> {
  if ((await publisherOf(db, userId)) !== null)
    throw new TRPCError({ code: 'CONFLICT', message: 'You already have a publisher name.' })
  const [taken] = await db
    .select({ id: schema.publishers.id })
    .from(schema.publishers)
    .where(eq(schema.publishers.name, name))
  if (taken !== undefined)
    throw new TRPCError({ code: 'CONFLICT', message: `The publisher name "${name}" is taken.` })
  const [row] = await db
    .insert(schema.publishers)
    .values({ id: randomUUID(), userId, name })
    .onConflictDoNothing()
    .returning()
  // Lost a race for the same name or a second click for the same account: the unique indexes decided.
  if (row === undefined)
    throw new TRPCError({ code: 'CONFLICT', message: `The publisher name "${name}" is taken.` })
  return row
}

export async function createToken(
  db: Db,
  publisherId: string,
  label: string,
): Promise<{ id: string; token: string; label: string; createdAt: Date }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
  const [row] = await db
    .insert(schema.publisherTokens)
    .values({ id: randomUUID(), publisherId, tokenHash: hashToken(token), label })
    .returning()
  if (row === undefined) throw new Error('token insert returned nothing')
  return { id: row.id, token, label: row.label, createdAt: row.createdAt }
}

export async function listTokens(db: Db, publisherId: string) {
  return db
    .select({
      id: schema.publisherTokens.id,
      label: schema.publisherTokens.label,
      createdAt: schema.publisherTokens.createdAt,
      lastUsedAt: schema.publisherTokens.lastUsedAt,
      revokedAt: schema.publisherTokens.revokedAt,
    })
    .from(schema.publisherTokens)
    .where(eq(schema.publisherTokens.publisherId, publisherId))
    .orderBy(desc(schema.publisherTokens.createdAt))
}

export async function revokeToken(db: Db, publisherId: string, tokenId: string): Promise<void> {
  const [row] = await db
    .select({ revokedAt: schema.publisherTokens.revokedAt })
    .from(schema.publisherTokens)
    .where(and(eq(schema.publisherTokens.id, tokenId), eq(schema.publisherTokens.publisherId, publisherId)))
  if (row === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such token.' })
  await db
    .update(schema.publisherTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(schema.publisherTokens.id, tokenId), isNull(schema.publisherTokens.revokedAt)))
}

/** The publisher a bearer token stands for, or null when it is unknown, malformed or revoked. */
export async function publisherForToken(
  db: Db,
  token: string,
): Promise<(Publisher & { tokenId: string }) | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null
  const [row] = await db
    .select({ publisher: schema.publishers, tokenId: schema.publisherTokens.id })
    .from(schema.publisherTokens)
    .innerJoin(schema.publishers, eq(schema.publishers.id, schema.publisherTokens.publisherId))
    .where(
      and(eq(schema.publisherTokens.tokenHash, hashToken(token)), isNull(schema.publisherTokens.revokedAt)),
    )
  if (row === undefined) return null
  await db
    .update(schema.publisherTokens)
    .set({ lastUsedAt: new Date() })
    .where(eq(schema.publisherTokens.id, row.tokenId))
  return { ...row.publisher, tokenId: row.tokenId }
}
