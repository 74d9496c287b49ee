import { createRequire } from 'node:module'
import type { Page } from '@playwright/test'
import { acceptInvite, createSong, inviteLink, signUpUser } from './helpers/accounts'
import { expect, test } from './helpers/test'

// yjs from the web app's dependencies: the test builds a real update for the forced write below.
interface YDoc {
  getMap(name: string): { set(key: string, value: unknown): void }
}
interface YLib {
  Doc: new () => YDoc
  applyUpdate(doc: YDoc, update: Uint8Array): void
  encodeStateVector(doc: YDoc): Uint8Array
  encodeStateAsUpdate(doc: YDoc, stateVector?: Uint8Array): Uint8Array
}
const Y = createRequire(new URL('../../apps/web/package.json', import.meta.url))('yjs') as YLib

/**
 * The accounts issue end to end, two browsers: sign up, create, invite, accept, co-edit, demote
 * to viewer (read-only in the UI and on the server), remove (disconnected).
 */

const varuint = (n: number): number[] => {
  const out: number[] = []
  while (n > 127) {
    out.push((n & 127) | 128)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}

/** Reads `varuint type, varuint subtype, varUint8Array payload` (a y-protocols sync frame). */
function syncPayload(frame: number[]): { sub: number; payload: Uint8Array } | null {
  let i = 0
  const read = () => {
    let n = 0
    let shift = 1
    for (;;) {
      const b = frame[i++] ?? 0
      n += (b & 127) * shift
      if (b < 128) return n
      shift *= 128
    }
  }
  if (read() !== 0) return null
  const sub = read()
  const len = read()
  return { sub, payload: Uint8Array.from(frame.slice(i, i + len)) }
}

/**
 * From the viewer's own browser (its cookies, same origin): fetch a room token from the API,
 * open the room on a raw WebSocket, and send a real edit (the title) built on the room's state.
 */
async function forceTitleWrite(page: Page, projectId: string, title: string): Promise<void> {
  const frames = await page.evaluate(async (projectId) => {
    const res = await fetch('/api/trpc/rooms.token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ projectId }),
    })
    const { result } = (await res.json()) as { result: { data: { token: string } } }
    const ws = new WebSocket(`ws://${location.host}/collab/${projectId}?token=${result.data.token}`)
    ws.binaryType = 'arraybuffer'
    const got: number[][] = []
    ws.onmessage = (e) => got.push([...new Uint8Array(e.data as ArrayBuffer)])
    await new Promise((resolve) => (ws.onopen = resolve))
    ws.send(new Uint8Array([0, 0, 1, 0])) // sync step 1 with an empty state vector
    await new Promise((resolve) => setTimeout(resolve, 500))
    ;(window as unknown as { forcedWs: WebSocket }).forcedWs = ws
    return got
  }, projectId)
  const step2 = frames.map(syncPayload).find((m) => m?.sub === 1)
  if (!step2) throw new Error('no sync step 2 from the server')
  const doc = new Y.Doc()
  Y.applyUpdate(doc, step2.payload)
  const before = Y.encodeStateVector(doc)
  doc.getMap('meta').set('title', title)
  const update = [...Y.encodeStateAsUpdate(doc, before)]
  const frame = [0, 2, ...varuint(update.length), ...update]
  await page.evaluate(async (frame) => {
    ;(window as unknown as { forcedWs: WebSocket }).forcedWs.send(new Uint8Array(frame))
    await new Promise((resolve) => setTimeout(resolve, 500))
  }, frame)
}

test('sign up, create, invite, accept, co-edit, demote to viewer, remove', async ({ browser }) => {
  const alice = await signUpUser(browser, 'Alice')
  const projectId = await createSong(alice, 'Band practice')
  const bob = await signUpUser(browser, 'Bob')
  await acceptInvite(bob, await inviteLink(alice, projectId, 'editor'))

  // Co-edit.
  await bob.getByTestId('song-title').fill('Written together')
  await bob.getByTestId('song-title').press('Enter')
  await expect(alice.getByTestId('song-title')).toHaveValue('Written together')
  await alice.getByRole('button', { name: 'Instrument track' }).click()
  await expect(bob.getByTestId('track')).toHaveCount(1)
  await expect(bob.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')

  // The project list shows the collaborators, under the title Bob gave the song (the row follows it).
  const list = await alice.context().newPage()
  await expect(async () => {
    await list.goto('/')
    await expect(list.getByTestId('project').filter({ hasText: 'Written together' })).toContainText(
      'Alice, Bob',
      { timeout: 1000 },
    )
  }).toPass({ timeout: 20_000 })

  // Demote Bob to viewer: his open studio turns read-only within seconds.
  const settings = await alice.context().newPage()
  await settings.goto(`/projects/${projectId}/settings`)
  await settings.getByLabel('Role of Bob').selectOption('viewer')
  await expect(bob.getByText('Read only')).toBeVisible()
  await expect(bob.getByTestId('song-title')).toHaveAttribute('readonly', '')
  await expect(bob.getByRole('button', { name: 'Instrument track' })).toBeDisabled()

  // ...and the server drops what he sends anyway, even over a hand-made connection.
  await forceTitleWrite(bob, projectId, 'Vandalised')
  await alice.getByRole('button', { name: 'Drum track' }).click() // a later write, as a marker
  await expect(bob.getByTestId('track')).toHaveCount(2)
  await expect(alice.getByTestId('song-title')).toHaveValue('Written together')
  await alice.reload()
  await expect(alice.getByTestId('song-title')).toHaveValue('Written together')

  // Remove Bob: his studio is disconnected and says why.
  await settings.getByRole('button', { name: 'Remove Bob' }).click()
  await expect(bob.getByText('You no longer have access to this song.')).toBeVisible()
  // Opened again, the song is the 404 page for him, as for any song he is not in.
  const gone = await bob.goto(`/songs/${projectId}`)
  expect(gone?.status()).toBe(404)
  await expect(bob.getByRole('heading', { name: 'Nothing here' })).toBeVisible()
})

test('version history: save, preview read-only, restore live, undo the restore', async ({ browser }) => {
  const alice = await signUpUser(browser, 'Alice')
  const projectId = await createSong(alice, 'Versions')
  const bob = await signUpUser(browser, 'Bob')
  await acceptInvite(bob, await inviteLink(alice, projectId, 'editor'))

  await alice.getByTestId('song-title').fill('Take one')
  await alice.getByTestId('song-title').press('Enter')
  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await alice.getByRole('button', { name: 'History' }).click()
  await alice.getByLabel('Version name').fill('First take')
  await alice.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(alice.getByTestId('version')).toHaveCount(1)
  await expect(alice.getByTestId('version')).toContainText('Alice')

  await bob.getByTestId('song-title').fill('Take two')
  await bob.getByTestId('song-title').press('Enter')
  await expect(alice.getByTestId('song-title')).toHaveValue('Take two')

  await alice.getByRole('button', { name: 'Preview' }).click()
  await expect(alice.getByTestId('preview-title')).toHaveText('Take one')
  await expect(alice.getByTestId('song-title')).toHaveValue('Take two') // previewing changes nothing

  alice.once('dialog', (d) => d.accept())
  await alice.getByRole('button', { name: 'Restore' }).click()
  await expect(bob.getByTestId('song-title')).toHaveValue('Take one')
  await alice.locator('body').click({ position: { x: 5, y: 400 } })
  await alice.keyboard.press('Control+z')
  await expect(bob.getByTestId('song-title')).toHaveValue('Take two')
})

test('signed out: landing page, clear sign-in errors, and a hostile song name shown as text', async ({
  browser,
}) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto('/')
  await expect(page.getByRole('link', { name: 'Create an account' })).toBeVisible()
  await page.goto('/sign-in')
  await page.getByLabel('Email').fill('nobody@example.test')
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByText(/invalid email or password/i)).toBeVisible()

  const eve = await signUpUser(browser, 'Eve')
  const hostile = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'
  let dialogs = 0
  eve.on('dialog', (d) => {
    dialogs++
    void d.dismiss()
  })
  await eve.getByLabel('Song name').fill(hostile)
  await eve.getByRole('button', { name: 'New song' }).click()
  await eve.waitForURL(/\/songs\//)
  await eve.goto('/')
  await expect(eve.getByTestId('project').first()).toContainText(hostile)
  expect(await eve.title()).not.toBe('pwned')
  expect(dialogs).toBe(0)
})

test('the owner deletes a song: its open studios close; Recently deleted, Restore, and it opens again', async ({
  browser,
}) => {
  const alice = await signUpUser(browser, 'Alice')
  const projectId = await createSong(alice, 'Encore')
  await alice.getByTestId('song-title').fill('Worth keeping')
  await alice.getByTestId('song-title').press('Enter')
  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  const bob = await signUpUser(browser, 'Bob')
  await acceptInvite(bob, await inviteLink(alice, projectId, 'editor'))

  const settings = await alice.context().newPage()
  await settings.goto(`/projects/${projectId}/settings`)
  settings.once('dialog', (d) => d.accept())
  await settings.getByRole('button', { name: 'Delete project' }).click()
  await settings.waitForURL((url) => url.pathname === '/')
  await expect(bob.getByText('You no longer have access to this song.')).toBeVisible()

  // Gone from every list and from the studio; only its owner sees it under Recently deleted, by the
  // one name the song has (its title, renamed in the studio).
  await expect(settings.getByTestId('deleted-project')).toContainText('Worth keeping')
  await expect(settings.getByTestId('project')).toHaveCount(0)
  await bob.goto('/')
  await expect(bob.getByRole('heading', { name: 'Your songs' })).toBeVisible()
  await expect(bob.getByRole('heading', { name: 'Recently deleted' })).toHaveCount(0)
  await bob.goto(`/songs/${projectId}`)
  await expect(bob.getByTestId('not-found')).toBeVisible()

  await settings.getByRole('button', { name: 'Restore Worth keeping' }).click()
  await expect(settings.getByTestId('project').filter({ hasText: 'Worth keeping' })).toBeVisible()
  await expect(settings.getByRole('heading', { name: 'Recently deleted' })).toHaveCount(0)
  await bob.goto(`/songs/${projectId}`)
  await expect(bob.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await expect(bob.getByTestId('song-title')).toHaveValue('Worth keeping')
})

test('sign-up with an address that has an account: its owner gets in with their password, anyone else reads one neutral answer', async ({
  browser,
}) => {
  const email = `dana-${Date.now()}@example.test`
  const signUpWith = async (password: string) => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto('/sign-up')
    await page.getByLabel('Name').fill('Dana')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign up' }).click()
    return page
  }
  await expect(
    (await signUpWith('danas own password')).getByRole('heading', { name: 'Your songs' }),
  ).toBeVisible()
  const stranger = await signUpWith('a strangers guess')
  await expect(
    stranger.getByText(
      'We could not sign you in with this email and password. If you already have an account with this address, sign in with its password instead.',
    ),
  ).toBeVisible()
  await expect(
    (await signUpWith('danas own password')).getByRole('heading', { name: 'Your songs' }),
  ).toBeVisible()
})
