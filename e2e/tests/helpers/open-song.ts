import { randomUUID } from 'node:crypto'
import {
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  expect,
  type Page,
} from '@playwright/test'

/**
 * How a test opens a song: the one place that knows about accounts, so when sign-up or the studio's token
 * fetch changes, only this file does. Each browser context is its own signed-up user; the first one makes
 * the song (a project), the others join it through an invite link, as bandmates do.
 */

interface SongRecord {
  readonly inviteSecret: string
  /** The owner's requests, to invite with another role (a viewer). */
  readonly owner: APIRequestContext
  viewerSecret?: string
}

const songs = new Map<string, SongRecord>()
const users = new WeakMap<BrowserContext, { id: string; name: string }>()

async function trpc<T>(
  request: APIRequestContext,
  baseURL: string,
  path: string,
  input: unknown,
): Promise<T> {
  const res = await request.post(`${baseURL}/api/trpc/${path}`, {
    data: input,
    headers: { origin: baseURL, 'content-type': 'application/json' },
  })
  if (!res.ok()) throw new Error(`${path} failed: ${res.status()} ${await res.text()}`)
  return ((await res.json()) as { result: { data: T } }).result.data
}

/** The same address playwright.config.ts serves on; writes must carry it as their Origin. */
const baseOf = (_page: Page): string => `http://127.0.0.1:${process.env.E2E_PORT ?? 3900}`

/** Signs this context up as a new user (cookies land in the context), once. */
export async function signUp(
  page: Page,
  name = `player-${randomUUID().slice(0, 4)}`,
): Promise<{ id: string; name: string }> {
  const known = users.get(page.context())
  if (known) return known
  const baseURL = baseOf(page)
  const email = `${name}-${randomUUID()}@example.test`
  const password = 'correct horse battery'
  const up = await page.context().request.post(`${baseURL}/api/auth/sign-up/email`, {
    data: { email, password, name },
    headers: { origin: baseURL },
  })
  if (!up.ok()) throw new Error(`sign-up failed: ${up.status()} ${await up.text()}`)
  // Sign-up opens no session (it answers alike for a new and a known address); sign in as the studio does.
  const res = await page.context().request.post(`${baseURL}/api/auth/sign-in/email`, {
    data: { email, password },
    headers: { origin: baseURL },
  })
  if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`)
  const user = ((await res.json()) as { user: { id: string; name: string } }).user
  users.set(page.context(), user)
  return user
}

/** Makes a new song owned by this page's user and returns its id. */
export async function createSong(page: Page, name = 'E2E song'): Promise<string> {
  await signUp(page)
  const baseURL = baseOf(page)
  const request = page.context().request
  const { id } = await trpc<{ id: string }>(request, baseURL, 'projects.create', { name })
  const invite = await trpc<{ secret: string }>(request, baseURL, 'invites.create', {
    projectId: id,
    role: 'editor',
    maxUses: 100,
  })
  songs.set(id, { inviteSecret: invite.secret, owner: request })
  return id
}

/** A room token for this page's user, as the studio fetches one (for a second client of the same user). */
export async function roomToken(page: Page, songId: string): Promise<{ token: string; userId: string }> {
  return trpc(page.context().request, baseOf(page), 'rooms.token', { projectId: songId })
}

/**
 * Opens a song the way a user does and waits until the studio has synced with the server. A page whose
 * user is not yet a member joins through the song's invite.
 */
export async function openSong(
  page: Page,
  songId: string,
  role: 'editor' | 'viewer' = 'editor',
): Promise<Page> {
  await signUp(page)
  const baseURL = baseOf(page)
  const request = page.context().request
  const record = songs.get(songId)
  if (record && role === 'viewer' && record.viewerSecret === undefined) {
    const invite = await trpc<{ secret: string }>(record.owner, baseURL, 'invites.create', {
      projectId: songId,
      role: 'viewer',
      maxUses: 100,
    })
    record.viewerSecret = invite.secret
  }
  const secret = role === 'viewer' ? record?.viewerSecret : record?.inviteSecret
  if (secret !== undefined) await trpc(request, baseURL, 'invites.accept', { secret })
  await page.goto(`/songs/${songId}`)
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  return page
}

/** A fresh browser context (its own user, storage and IndexedDB) with the song open; a new song if none. */
export async function openSongAs(
  browser: Browser,
  songId?: string,
  name?: string,
  role: 'editor' | 'viewer' = 'editor',
): Promise<{ context: BrowserContext; page: Page; songId: string }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  await signUp(page, name)
  const id = songId ?? (await createSong(page))
  await openSong(page, id, role)
  return { context, page, songId: id }
}
