import type { Browser, Page } from '@playwright/test'
import { expectInside, expectNoClippedText, expectOneRow } from './helpers/layout'
import { createSong, openSong, openSongAs, signUp } from './helpers/open-song'
import { addInstrumentTrack, clickRoll, createClipByDoubleClick, openClipEditor } from './helpers/studio'
import { expect, test } from './helpers/test'

/**
 * The studio as a new band meets it (issue 19): sharing from the studio, a real 404, the song list and
 * landing page, and every page at 1024, 1440 and 1920 px wide with no cut-off text or wrapped toolbars.
 * Screenshots of each page at each width land in the test's output folder.
 */

const WIDTHS = [1024, 1440, 1920] as const

async function shoot(page: Page, name: string, width: number): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}-${width}.png`) })
}

/** A signed-out browser. */
async function visitor(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  return context.newPage()
}

test('every page at 1024, 1440 and 1920 px: nothing cut off, toolbars on one row', async ({ browser }) => {
  test.setTimeout(180_000)
  // A band's song: a Keys track with a one-note clip, a Drums track, the clip editor and AI panel open.
  const { page, songId } = await openSongAs(browser, undefined, 'Alice')
  await addInstrumentTrack(page)
  await page.getByRole('button', { name: 'Drum track' }).click()
  await createClipByDoubleClick(page, 0, 0)
  await openClipEditor(page, page.getByTestId('clip').first())
  await clickRoll(page, 60, 0.2)
  await expect(page.getByTestId('note-count')).toHaveText('1 note')
  await expect(page.getByTestId('clip').first()).toHaveAttribute('aria-label', /with 1 note$/)
  // The clip was drawn as a 4/4 bar; in 3/4 it is a bar and a beat, not "1.33 bars".
  await page.getByLabel('Time signature').selectOption('3/4')
  await expect(page.getByLabel('Clip length in bars').locator('option:checked')).toHaveText('1 bar 1 beat')
  await page.getByRole('button', { name: 'AI suggestions for Keys' }).click()
  await expect(page.getByTestId('ai-panel').getByLabel('Plugin')).toBeVisible({ timeout: 30_000 })

  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 })
    await expect(page.getByTestId('track-instrument').last()).toHaveValue('drum-kit')
    await shoot(page, 'studio', width)
    await expectNoClippedText(page, `the studio at ${width} px`)
    await expectOneRow(page.locator('.st-header'), `studio header at ${width} px`)
    await expectOneRow(page.locator('.st-editor-bar'), `clip editor toolbar with the AI panel at ${width} px`)
    for (const header of await page.getByTestId('track').all())
      await expectInside(header, `track header at ${width} px`)
  }

  // The song list, the settings page and the 404 page, signed in.
  await page.goto('/')
  await expect(page.getByTestId('song-thumbnail').first()).toHaveAttribute('data-clips', '1')
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 })
    await shoot(page, 'songs', width)
    await expectNoClippedText(page, `the song list at ${width} px`)
  }
  await page.goto(`/projects/${songId}/settings`)
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible()
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 })
    await shoot(page, 'settings', width)
    await expectNoClippedText(page, `settings at ${width} px`)
  }
  // The plugin gallery and a publisher's pages (Alice is no publisher yet: what she meets first).
  for (const [path, name] of [
    ['/plugins', 'plugins'],
    ['/plugins/publisher', 'publisher'],
    ['/plugins/publisher/failures', 'publisher-failures'],
  ] as const) {
    await page.goto(path)
    await expect(page.locator('main').first()).toBeVisible()
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 })
      await shoot(page, name, width)
      await expectNoClippedText(page, `${path} at ${width} px`)
    }
  }
  await page.goto('/no-such-page')
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 })
    await shoot(page, 'not-found', width)
    await expectNoClippedText(page, `the 404 page at ${width} px`)
  }

  // Landing and sign-in, signed out.
  const guest = await visitor(browser)
  for (const path of ['/', '/sign-in', '/sign-up']) {
    await guest.goto(path)
    await expect(
      guest
        .getByRole('link', { name: 'Sign in' })
        .or(guest.getByRole('button', { name: 'Sign in' }))
        .first(),
    ).toBeVisible()
    for (const width of WIDTHS) {
      await guest.setViewportSize({ width, height: 900 })
      await shoot(guest, path === '/' ? 'landing' : path.slice(1), width)
      await expectNoClippedText(guest, `${path} at ${width} px`)
    }
  }
  await guest.context().close()
  await page.context().close()
})

test('the landing page says what Ensemble is and leads to sign-up; every page has the favicon', async ({
  browser,
}) => {
  const guest = await visitor(browser)
  await guest.goto('/')
  await expect(guest.getByRole('heading', { level: 1 })).toContainText('Write songs together')
  await expect(guest.getByRole('region', { name: 'Features' }).getByRole('heading')).toHaveCount(6)
  await expect(guest.getByRole('figure', { name: /arrangement/ })).toBeVisible()
  const icon = guest.locator('head link[rel="icon"]')
  await expect(icon).toHaveAttribute('href', /icon\.svg/)
  const res = await guest.request.get((await icon.getAttribute('href')) ?? '')
  expect(res.status()).toBe(200)
  expect(res.headers()['content-type']).toContain('image/svg+xml')
  await guest.getByRole('link', { name: 'Start a song' }).click()
  await expect(guest.getByRole('heading', { name: 'Create your account' })).toBeVisible()
  await guest.context().close()
})

test('the song list shows each song’s arrangement, last edit and the band', async ({ browser }) => {
  const { context, page, songId } = await openSongAs(browser, undefined, 'Alice')
  await addInstrumentTrack(page)
  await createClipByDoubleClick(page, 0, 0)
  await createClipByDoubleClick(page, 0, 2)
  await expect(page.getByTestId('clip')).toHaveCount(2)
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  // Bob joins, so the band is two.
  const bob = await openSongAs(browser, songId, 'Bob')
  await page.goto('/')
  const card = page.getByTestId('project').filter({ has: page.getByRole('link', { name: 'E2E song' }) })
  await expect(card.getByTestId('song-thumbnail')).toHaveAttribute('data-clips', '2')
  await expect(card.getByTestId('thumbnail-clip')).toHaveCount(2)
  await expect(card.getByTestId('last-edited')).toHaveText(/^Edited (just now|\d+ minutes? ago)$/)
  await expect(card.getByTestId('collaborators').getByTestId('member-avatar')).toHaveText(['AL', 'BO'])
  await expect(card.getByTestId('collaborators')).toContainText('Alice, Bob')
  await bob.context.close()
  await context.close()
})

test('Share in the studio: invite by role, copy the link, see and revoke pending invites', async ({
  browser,
}) => {
  const owner = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await owner.grantPermissions(['clipboard-read', 'clipboard-write'])
  const alice = await owner.newPage()
  const songId = await createSong(alice, 'Shared song')
  await openSong(alice, songId)

  await alice.getByRole('button', { name: 'Share' }).click()
  const dialog = alice.getByRole('dialog', { name: 'Share' })
  await expect(dialog.getByTestId('share-members')).toContainText('owner')
  // The helper's own invite (100 uses) is pending already; a viewer link makes two.
  await expect(dialog.getByTestId('pending-invite')).toHaveCount(1)
  await dialog.getByLabel('Invite role').selectOption('viewer')
  await dialog.getByRole('button', { name: 'Create invite link' }).click()
  const link = await dialog.getByTestId('share-link').inputValue()
  expect(link).toMatch(/\/invite\/[\w-]{16,}$/)
  await dialog.getByRole('button', { name: 'Copy link' }).click()
  await expect(dialog.getByTestId('copy-status')).toHaveText('Copied')
  expect(await alice.evaluate(() => navigator.clipboard.readText())).toBe(link)
  await expect(dialog.getByTestId('pending-invite')).toHaveCount(2)
  await expect(dialog.getByTestId('pending-invite').first()).toContainText('viewer')

  // Bob opens the copied link and joins as a viewer.
  const bob = await browser.newContext()
  const bobPage = await bob.newPage()
  await signUp(bobPage, 'Bob')
  await bobPage.goto(link)
  await expect(bobPage.getByText('as viewer')).toBeVisible()
  await bobPage.screenshot({ path: test.info().outputPath('invite-1280.png') })
  await expectNoClippedText(bobPage, 'the invite page')
  await bobPage.getByRole('button', { name: 'Accept invite' }).click()
  await expect(bobPage.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  // A viewer's header says "Read only" and still keeps one row at 1024 px.
  await expect(bobPage.getByText('Read only')).toBeVisible()
  await bobPage.setViewportSize({ width: 1024, height: 800 })
  await expectOneRow(bobPage.locator('.st-header'), 'a viewer’s studio header at 1024 px')
  // Bob, not the owner, sees the band but cannot invite.
  await bobPage.getByRole('button', { name: 'Share' }).click()
  const bobDialog = bobPage.getByRole('dialog', { name: 'Share' })
  await expect(bobDialog.getByTestId('share-members')).toContainText('Bob')
  await expect(bobDialog.getByRole('button', { name: 'Create invite link' })).toHaveCount(0)

  // Alice revokes the viewer link: it leaves the list and stops working.
  await dialog.getByRole('button', { name: 'Revoke viewer invite' }).click()
  await expect(dialog.getByTestId('pending-invite')).toHaveCount(1)
  const carol = await browser.newContext()
  const carolPage = await carol.newPage()
  await signUp(carolPage, 'Carol')
  await carolPage.goto(link)
  await expect(carolPage.getByText('This invite link was revoked.')).toBeVisible()
  await carol.close()
  await bob.close()
  await owner.close()
})

test('a song you are not a member of, and an unknown address, are a real 404 with a way home', async ({
  browser,
}) => {
  const { context, songId } = await openSongAs(browser, undefined, 'Alice')
  const mallory = await browser.newContext()
  const page = await mallory.newPage()
  await signUp(page, 'Mallory')
  for (const path of [`/songs/${songId}`, `/projects/${songId}/settings`, '/songs/not-a-song', '/nowhere']) {
    const res = await page.goto(path)
    expect(res?.status(), path).toBe(404)
    await expect(page.getByTestId('not-found')).toBeVisible()
    await expect(page.getByTestId('studio')).toHaveCount(0)
  }
  await page.getByRole('link', { name: 'Back to your songs' }).click()
  await expect(page.getByRole('heading', { name: 'Your songs' })).toBeVisible()
  // Signed out, the song asks for sign-in first and comes back to it.
  const guest = await visitor(browser)
  await guest.goto(`/songs/${songId}`)
  await expect(guest).toHaveURL(new RegExp(`/sign-in\\?next=${encodeURIComponent(`/songs/${songId}`)}`))
  await guest.context().close()
  await mallory.close()
  await context.close()
})
