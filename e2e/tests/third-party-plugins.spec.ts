import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Page } from '@playwright/test'
import { openSongAs, signUp } from './helpers/open-song'
import { addInstrumentTrack, createClipByDoubleClick } from './helpers/studio'
import { expect, test } from './helpers/test'

/*
 * Issue 8 end to end: a publisher gets a name and a token in the studio; the SDK's CLI scaffolds a
 * project for each example plugin (arpeggiator, Markov melody), validates, sandbox-tests, packs and
 * publishes it to this studio's registry; a song's owner finds both in the gallery, installs them
 * after the capabilities dialog, and each produces a suggestion in the AI panel, run in the inference
 * service's sandbox.
 */

const run = promisify(execFile)
const REPO = path.resolve(import.meta.dirname, '..', '..')
const SDK = path.join(REPO, 'packages/plugin-sdk')
const CLI = path.join(SDK, 'bin/ensemble-plugin.js')
const BASE = `http://127.0.0.1:${process.env.E2E_PORT ?? 3900}`

const EXAMPLES = [
  { folder: 'arpeggiator', id: 'com.example.arpeggiator', name: 'Arpeggiator' },
  { folder: 'markov-melody', id: 'com.example.markov-melody', name: 'Markov Melody' },
] as const

async function cli(args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env: { ...process.env } })
    return `${stdout}${stderr}`
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    throw new Error(`ensemble-plugin ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`)
  }
}

/** `create` a project outside the repository, put the example's code in it, then the rest of the CLI. */
async function scaffoldAndPublish(root: string, example: (typeof EXAMPLES)[number], token: string) {
  const dir = path.join(root, example.folder)
  await cli(['create', dir, '--kind', 'generator', '--id', example.id], root)
  cpSync(path.join(SDK, 'examples', example.folder, 'src'), path.join(dir, 'src'), { recursive: true })
  // The SDK as its package manager would install it.
  mkdirSync(path.join(dir, 'node_modules/@ensemble'), { recursive: true })
  symlinkSync(SDK, path.join(dir, 'node_modules/@ensemble/plugin-sdk'), 'dir')
  await cli(['validate'], dir)
  await cli(['test'], dir)
  await cli(['pack'], dir)
  return cli(['publish', '--registry', BASE, '--token', token], dir)
}

async function becomePublisher(page: Page): Promise<string> {
  await signUp(page, 'Pat')
  await page.goto('/plugins/publisher')
  await page.getByLabel('Publisher name').fill(`pat-${Date.now().toString(36)}`)
  await page.getByRole('button', { name: 'Become a publisher' }).click()
  await expect(page.getByTestId('publisher-name')).toHaveText(/^pat-/)
  await page.getByLabel('Token label').fill('e2e laptop')
  await page.getByRole('button', { name: 'Create token' }).click()
  const token = await page.getByTestId('new-token').inputValue()
  expect(token).toMatch(/^ens_pub_/)
  // Shown once: after a reload only the label is left.
  await page.reload()
  await expect(page.getByTestId('token')).toContainText('e2e laptop')
  await expect(page.getByTestId('new-token')).toHaveCount(0)
  return token
}

test('the example plugins are published with the CLI, installed by the owner, and suggest in the studio', async ({
  browser,
}) => {
  test.setTimeout(300_000)
  const publisherContext = await browser.newContext()
  const publisherPage = await publisherContext.newPage()
  const token = await becomePublisher(publisherPage)

  const root = mkdtempSync(path.join(tmpdir(), 'ensemble-e2e-plugins-'))
  try {
    for (const example of EXAMPLES) {
      const published = await scaffoldAndPublish(root, example, token)
      expect(published).toContain(example.id)
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }

  // The owner's song: one instrument track with an empty clip for the plugins to fill.
  const owner = await openSongAs(browser, undefined, 'Olive')
  const studio = owner.page
  await addInstrumentTrack(studio)
  await createClipByDoubleClick(studio, 0, 0)

  // The gallery for this song, which the studio header links to (opened beside the studio).
  await expect(studio.getByRole('link', { name: 'Plugins' })).toHaveAttribute(
    'href',
    `/plugins?project=${owner.songId}`,
  )
  const gallery = await owner.context.newPage()
  await gallery.goto(`/plugins?project=${owner.songId}`)
  await gallery.getByLabel('Search plugins').fill('example')
  await gallery.getByRole('button', { name: 'Search' }).click()
  for (const example of EXAMPLES) {
    const card = gallery.locator(`[data-plugin-id="${example.id}"]`)
    await expect(card).toContainText(example.name)
    await expect(card.getByTestId('publisher')).toHaveText(/^pat-/)
    await expect(card.getByTestId('licence')).toHaveText('MIT')
    await expect(card.getByTestId('capability')).toHaveAttribute('data-capability', 'theory')
    await card.getByRole('button', { name: `Install ${example.name}` }).click()
    const dialog = gallery.getByRole('dialog', { name: `Install ${example.name}` })
    await expect(dialog.getByTestId('capability')).toHaveText([/music-theory helpers/])
    await dialog.getByRole('button', { name: 'Install' }).click()
    await expect(card).toContainText('Installed in this song: 1.0.0')
  }
  await expect(gallery.getByTestId('installed-plugin')).toHaveCount(2)
  await gallery.getByLabel('Kind').selectOption('harmonizer')
  await expect(gallery.getByTestId('plugin-card')).toHaveCount(0)
  await gallery.close()

  // Each installed plugin is in the track's AI panel beside ours, and writes a proposal.
  await studio.reload()
  await studio
    .getByRole('button', { name: /^AI suggestions for / })
    .first()
    .click()
  const panel = studio.getByTestId('ai-panel')
  await expect(panel.getByLabel('Plugin')).toBeVisible({ timeout: 30_000 })
  for (const example of EXAMPLES) {
    await panel.getByLabel('Plugin').selectOption({ value: example.id })
    await expect(panel.getByTestId('ai-plugin-about')).toContainText('third-party')
    // A fraction declared in '%' reads as a percentage: the arpeggiator's gate of 0.8 is "80 %".
    if (example.id === 'com.example.arpeggiator')
      await expect(panel.getByRole('slider', { name: 'Gate' })).toHaveAttribute('aria-valuetext', '80 %')
    await panel.getByRole('button', { name: 'Generate' }).click()
    const proposal = panel.getByTestId('proposal').filter({ hasText: `asked ${example.name}` })
    const failed = panel.getByTestId('ai-error')
    await expect(proposal.or(failed).first()).toBeVisible({ timeout: 45_000 })
    expect(await failed.count(), (await failed.allTextContents()).join(' ')).toBe(0)
    await expect(proposal).toHaveCount(1)
  }
  await expect(panel.getByTestId('ai-error')).toHaveCount(0)
  await studio.screenshot({ path: '.test-results/third-party-plugins.png' })

  // The publisher's failures page: both versions, no failures, and the service's strikes (it ran them).
  await publisherPage.goto('/plugins/publisher')
  await publisherPage.getByRole('link', { name: /Failures and strikes/ }).click()
  const versions = publisherPage.getByTestId('version-trouble')
  await expect(versions).toHaveCount(EXAMPLES.length)
  for (const example of EXAMPLES) {
    const version = versions.filter({ hasText: example.id })
    await expect(version).toContainText('No failures.')
    await expect(version.getByTestId('strikes')).toHaveText('Strikes: 0')
  }
})
