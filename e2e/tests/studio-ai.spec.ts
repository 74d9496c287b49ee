import type { Browser, Locator, Page } from '@playwright/test'
import { acceptInvite, inviteLink, signUpUser } from './helpers/accounts'
import { openSongAs } from './helpers/open-song'
import {
  addInstrumentTrack,
  clickRoll,
  createClipByDoubleClick,
  expectRollNotes,
  openClipEditor,
  rollNotes,
} from './helpers/studio'
import { expect, test } from './helpers/test'

const Q = 480
const MELODY = [
  { pitch: 60, start: 0 },
  { pitch: 62, start: Q },
  { pitch: 64, start: 2 * Q },
  { pitch: 67, start: 3 * Q },
]

/** Alice and Bob in one song; Alice plays MELODY into a new Keys track's first clip, and Bob sees the clip. */
async function bandWithMelody(browser: Browser) {
  const a = await openSongAs(browser, undefined, 'Alice')
  const b = await openSongAs(browser, a.songId, 'Bob')
  await addInstrumentTrack(a.page)
  await createClipByDoubleClick(a.page, 0, 0)
  await expect(b.page.getByTestId('clip')).toHaveCount(1)
  await openClipEditor(a.page, a.page.getByTestId('clip').first())
  for (const n of MELODY) await clickRoll(a.page, n.pitch, n.start / Q + 0.2)
  await expectRollNotes(a.page, MELODY)
  return { a, b, alice: a.page, bob: b.page }
}

/** Opens the AI panel on the Keys track and picks a plugin; returns the panel. */
async function askOnKeys(page: Page, plugin: string): Promise<Locator> {
  await page.getByRole('button', { name: 'AI suggestions for Keys' }).click()
  const panel = page.getByTestId('ai-panel')
  await expect(panel.getByLabel('Plugin')).toBeVisible({ timeout: 30_000 })
  await panel.getByLabel('Plugin').selectOption({ label: plugin })
  return panel
}

/** How many ghost notes the roll draws (data-ghost-notes lists them, comma-separated; empty when none). */
const ghostNotes = async (roll: Locator): Promise<number> =>
  ((await roll.getAttribute('data-ghost-notes')) ?? '').split(',').filter(Boolean).length

/** How many of the notes the roll draws a plugin wrote (the canvas says so in data-ai-notes). */
const aiNotes = async (page: Page): Promise<number> =>
  Number((await page.getByTestId('piano-roll').getAttribute('data-ai-notes')) ?? '0')

test('A asks the harmonizer, B sees the proposal and accepts it, both see its provenance, A’s undo removes it', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  // Alice plays a one-bar melody, opens the AI panel on the track and asks the harmonizer for two
  // variations of that bar.
  const { a, b, alice, bob } = await bandWithMelody(browser)
  const panel = await askOnKeys(alice, 'Harmonizer')
  // The manifest's typed parameters became controls with their defaults.
  await expect(panel.getByLabel('Stay in key')).toBeChecked()
  await expect(panel.getByRole('slider', { name: /Temperature/ })).toHaveValue('0.8')
  await expect(panel.getByLabel('From bar')).toHaveValue('1')
  await expect(panel.getByLabel('To bar')).toHaveValue('1')
  await panel.getByLabel('Variations').fill('2')
  await panel.getByRole('button', { name: 'Generate' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(1, { timeout: 45_000 })
  await expect(panel.getByTestId('ai-error')).toHaveCount(0)
  await expect(panel.getByTestId('proposal')).toContainText('Alice asked Harmonizer')
  // Her own roll shows the ghost notes; nothing was written into the song yet.
  await expect(alice.getByTestId('piano-roll')).toHaveAttribute('data-ghost-label', /Alice asked Harmonizer/)
  await expectRollNotes(alice, MELODY)

  // Bob sees the proposal on the arrangement and as ghost notes in his piano roll, with who asked.
  await expect(bob.getByTestId('proposal-overlay')).toContainText('Alice asked Harmonizer')
  await openClipEditor(bob, bob.getByTestId('clip').first())
  const bobRoll = bob.getByTestId('piano-roll')
  await expect(bobRoll).toHaveAttribute('data-ghost-label', /Alice asked Harmonizer · 1\/2/)
  await expect.poll(() => ghostNotes(bobRoll)).toBeGreaterThan(0)
  await bob.screenshot({ path: '.test-results/studio-ai-proposal.png' })

  // Bob scrolls up the keyboard: his roll says where the ghost notes went, and one click brings them back
  // (all of them, or, for a harmony taller than his view, the lowest ones, with the rest now "above").
  await bobRoll.hover()
  for (let i = 0; i < 4; i++) await bob.mouse.wheel(0, -600)
  const hint = bob.getByTestId('ghost-hint')
  await expect(hint).toContainText(/ghost notes? below ↓/)
  const scrolledTo = await bobRoll.getAttribute('data-top-pitch')
  await hint.click()
  await expect(bobRoll).not.toHaveAttribute('data-top-pitch', scrolledTo ?? '')
  await expect(hint).not.toContainText('below')

  // Carol, a viewer, sees it too and can audition it, but cannot accept, dismiss or ask.
  const carol = await signUpUser(browser, 'Carol')
  await acceptInvite(carol, await inviteLink(alice, a.songId, 'viewer'))
  await expect(carol.getByTestId('proposal-overlay')).toContainText('Alice asked Harmonizer')
  await carol.getByRole('button', { name: 'AI suggestions for Keys' }).click()
  const carolPanel = carol.getByTestId('ai-panel')
  await expect(carolPanel.getByTestId('proposal')).toContainText('Alice asked Harmonizer')
  await expect(carolPanel.getByRole('button', { name: '▶ Audition' })).toBeVisible()
  await expect(carolPanel.getByRole('button', { name: 'Accept' })).toHaveCount(0)
  await expect(carolPanel.getByRole('button', { name: 'Dismiss' })).toHaveCount(0)
  await expect(carolPanel.getByRole('button', { name: 'Generate' })).toHaveCount(0)

  // Bob opens the panel, looks at the second variation, then accepts it.
  await bob.getByRole('button', { name: 'AI suggestions for Keys' }).click()
  const bobPanel = bob.getByTestId('ai-panel')
  await expect(bobPanel.getByTestId('proposal')).toHaveCount(1)
  await bobPanel.getByRole('button', { name: /^Variation 2/ }).click()
  await expect(bobRoll).toHaveAttribute('data-ghost-label', /· 2\/2/)
  // Every variation has notes: the harmonizer sings under every melody note.
  const chosen = await ghostNotes(bobRoll)
  expect(chosen).toBeGreaterThan(0)
  await bobPanel.getByRole('button', { name: 'Accept' }).click()
  await expect(bobPanel.getByTestId('proposal')).toHaveCount(0)
  await expect(alice.getByTestId('ai-panel').getByTestId('proposal')).toHaveCount(0)

  // Both see the harmony under the melody, marked as AI-made, with its provenance.
  for (const page of [alice, bob]) {
    await expect.poll(() => aiNotes(page)).toBe(chosen)
    await expect.poll(async () => (await rollNotes(page)).length).toBe(MELODY.length + chosen)
    await expect(page.getByTestId('piano-roll')).toHaveAttribute('data-ghost-notes', '')
    await page.getByTestId('piano-roll').click({ position: { x: 5, y: 5 } }) // the ruler: focus leaves the panel
    await page.keyboard.press('Control+a')
    const provenance = page.getByTestId('note-provenance')
    await expect(provenance).toContainText(`${chosen === 1 ? 'Made by AI' : `${chosen} notes made by AI`}`)
    await expect(provenance).toContainText('Plugin studio.ensemble.harmonizer')
    await expect(provenance).toContainText(/Model [0-9a-f]{8} · seed \d+/)
    await expect(provenance).toContainText('Asked by Alice · accepted by Bob')
  }
  await alice.screenshot({ path: '.test-results/studio-ai-accepted.png' })

  // Alice asked for it, so her undo takes it back, for both of them; the melody stays.
  await alice.getByRole('button', { name: 'Undo' }).click()
  for (const page of [alice, bob]) {
    await expectRollNotes(page, MELODY)
    await expect.poll(() => aiNotes(page)).toBe(0)
  }
  await a.context.close()
  await b.context.close()
  await carol.context().close()
})

test('a drums suggestion lights ghost steps in the grid; dismiss clears it, accept writes AI-made hits', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const a = await openSongAs(browser, undefined, 'Dana')
  const page = a.page
  await page.getByRole('button', { name: 'Drum track' }).click()
  await createClipByDoubleClick(page, 0, 0)
  await openClipEditor(page, page.getByTestId('clip').first())
  const grid = page.getByTestId('drum-grid')
  await expect(grid).toBeVisible()

  await page.getByRole('button', { name: 'AI suggestions for Drums' }).click()
  const panel = page.getByTestId('ai-panel')
  await expect(panel.getByLabel('Plugin')).toHaveValue('studio.ensemble.drums', { timeout: 30_000 })
  await panel.getByLabel('Variations').fill('1')
  await panel.getByRole('button', { name: 'Generate' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(1, { timeout: 45_000 })
  await expect(grid.getByTestId('drum-proposal')).toContainText('Dana asked Drums')
  const ghosts = grid.locator('[data-ghost="true"]')
  await expect.poll(() => ghosts.count()).toBeGreaterThan(0)
  await expect(grid.locator('[data-on="true"]')).toHaveCount(0)

  // Dismissed: the ghosts go, nothing was written.
  await panel.getByRole('button', { name: 'Dismiss' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(0)
  await expect(ghosts).toHaveCount(0)

  // Asked again and accepted: the hits are in the song, each marked as AI-made.
  await panel.getByRole('button', { name: 'Generate' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(1, { timeout: 45_000 })
  const suggested = await ghosts.count()
  await panel.getByRole('button', { name: 'Accept' }).click()
  await expect(ghosts).toHaveCount(0)
  await expect(grid.locator('[data-on="true"][data-ai="true"]')).toHaveCount(suggested)
  await page.screenshot({ path: '.test-results/studio-ai-drums.png' })
  await a.context.close()
})

test('an arranger’s proposed tracks show as ghost lanes to the band, audition together, and become tracks on accept', async ({
  browser,
}) => {
  test.setTimeout(150_000)
  const { a, b, alice, bob } = await bandWithMelody(browser)
  const panel = await askOnKeys(alice, 'Arranger')
  await panel.getByLabel('Variations').fill('1')
  await panel.getByRole('button', { name: 'Generate' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(1, { timeout: 45_000 })

  // Both see the proposed tracks as ghost lanes below the song's one track, named, with notes, who asked.
  for (const page of [alice, bob]) {
    await expect(page.getByTestId('lane')).toHaveCount(1)
    const headers = page.getByTestId('ghost-lane-header')
    await expect.poll(() => headers.count()).toBeGreaterThanOrEqual(2)
    await expect(headers.first()).toContainText('Alice asked Arranger')
    await expect(page.getByTestId('ghost-lane').filter({ hasText: 'Bass' })).toHaveCount(1)
    await expect(page.getByTestId('ghost-lane').first()).not.toHaveAttribute('data-notes', '0')
  }
  const proposed = await alice.getByTestId('ghost-lane').count()
  await alice.screenshot({ path: '.test-results/studio-ai-arranger.png' })

  // Audition plays them together; it can be stopped.
  await panel.getByRole('button', { name: '▶ Audition' }).click()
  await panel.getByRole('button', { name: '■ Stop' }).click()
  await expect(panel.getByRole('button', { name: '▶ Audition' })).toBeVisible()

  // Accepted: the ghosts become real tracks for everyone.
  await panel.getByRole('button', { name: 'Accept' }).click()
  for (const page of [alice, bob]) {
    await expect(page.getByTestId('ghost-lane')).toHaveCount(0)
    await expect(page.getByTestId('lane')).toHaveCount(1 + proposed)
  }
  await a.context.close()
  await b.context.close()
})
