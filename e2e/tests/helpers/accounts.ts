import { randomUUID } from 'node:crypto'
import { type Browser, expect, type Page } from '@playwright/test'

/** A new browser (context) with a freshly signed-up user, on their project list. */
export async function signUpUser(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto('/sign-up')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(`${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.test`)
  await page.getByLabel('Password').fill('a good long password')
  await page.getByRole('button', { name: 'Sign up' }).click()
  await expect(page.getByRole('heading', { name: 'Your songs' })).toBeVisible()
  return page
}

/** Creates a song from the project list and waits for the studio; returns its project id. */
export async function createSong(page: Page, name: string): Promise<string> {
  await page.getByLabel('Song name').fill(name)
  await page.getByRole('button', { name: 'New song' }).click()
  await page.waitForURL(/\/songs\/[0-9a-f-]{36}$/)
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  return page.url().split('/').pop() ?? ''
}

/** The owner makes an invite link on the settings page (in a second tab) and returns it. */
export async function inviteLink(
  owner: Page,
  projectId: string,
  role: 'editor' | 'viewer',
  uses = 1,
): Promise<string> {
  const settings = await owner.context().newPage()
  await settings.goto(`/projects/${projectId}/settings`)
  await settings.getByLabel('Invite role').selectOption(role)
  await settings.getByLabel('Uses').fill(String(uses))
  await settings.getByRole('button', { name: 'Create invite link' }).click()
  const link = await settings.getByTestId('invite-link').inputValue()
  await settings.close()
  return link
}

/** Opens the link and accepts; lands in the studio. */
export async function acceptInvite(page: Page, link: string): Promise<void> {
  await page.goto(link)
  await page.getByRole('button', { name: 'Accept invite' }).click()
  await page.waitForURL(/\/songs\//)
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
}
