import type { Browser, Locator, Page } from '@playwright/test'
import { acceptInvite, inviteLink, signUpUser } from './helpers/accounts'
import { openSongAs } from './helpers/open-song'
import { addInstrumentTrack } from './helpers/studio'
import { expect, test } from './helpers/test'

/** Opens the first track's effects chain from its header. */
async function openChain(page: Page): Promise<Locator> {
  await page
    .getByRole('button', { name: /^Effects for/ })
    .first()
    .click()
  const chain = page.getByTestId('device-chain')
  await expect(chain).toBeVisible()
  return chain
}

const kinds = (chain: Locator) =>
  chain.getByTestId('device').evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')))

/** Alice makes a song with one instrument track, Bob joins; both studios open. */
async function aliceAndBob(browser: Browser): Promise<{ alice: Page; bob: Page; songId: string }> {
  const a = await openSongAs(browser, undefined, 'Alice')
  const b = await openSongAs(browser, a.songId, 'Bob')
  await addInstrumentTrack(a.page)
  await expect(b.page.getByTestId('track')).toHaveCount(1)
  return { alice: a.page, bob: b.page, songId: a.songId }
}

const dial = (chain: Locator, kind: string, label: string) =>
  chain
    .locator(`[data-testid="device"][data-kind="${kind}"]`)
    .getByRole('slider', { name: label, exact: true })

test('a band shapes a track’s effects together: live knobs, who is dragging, per-user undo, read-only viewers', async ({
  browser,
}) => {
  const { alice, bob, songId } = await aliceAndBob(browser)
  const aliceChain = await openChain(alice)
  const bobChain = await openChain(bob)
  await expect(bobChain).toContainText('No effects yet')

  // Alice adds a filter and types a cutoff in kHz; Bob sees the device and the value in its units.
  await aliceChain.getByLabel('Add effect').selectOption('filter')
  await expect(bobChain.getByTestId('device')).toHaveCount(1)
  await expect(dial(bobChain, 'filter', 'Cutoff')).toHaveAttribute('aria-valuetext', '1 kHz')
  await aliceChain.getByLabel('Cutoff value').fill('2.5k')
  await aliceChain.getByLabel('Cutoff value').press('Enter')
  await expect(dial(bobChain, 'filter', 'Cutoff')).toHaveAttribute('aria-valuetext', '2.5 kHz')

  // Alice holds the cutoff knob and drags it up: while she holds it, Bob sees her name on it and the value
  // moving; when she lets go, her name goes.
  const cutoff = dial(aliceChain, 'filter', 'Cutoff')
  const box = (await cutoff.boundingBox())!
  await alice.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await alice.mouse.down()
  await alice.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 15, { steps: 5 })
  const bobKnob = bobChain.locator('[data-testid="knob"][data-param="frequency"]')
  await expect(bobKnob.getByTestId('knob-holder')).toHaveText('Alice')
  await bob.screenshot({ path: '.test-results/studio-effects-held.png' })
  await expect(dial(bobChain, 'filter', 'Cutoff')).not.toHaveAttribute('aria-valuetext', '2.5 kHz')
  await alice.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 25, { steps: 4 })
  await alice.mouse.up()
  await expect(bobKnob.getByTestId('knob-holder')).toHaveCount(0)
  const dragged = await dial(aliceChain, 'filter', 'Cutoff').getAttribute('aria-valuenow')
  expect(Number(dragged)).toBeGreaterThan(2_500)
  await expect(dial(bobChain, 'filter', 'Cutoff')).toHaveAttribute('aria-valuenow', dragged!)

  // Bob turns the resonance with the keyboard: his edit, which Alice's undo must leave alone.
  await dial(bobChain, 'filter', 'Resonance').focus()
  await bob.keyboard.press('ArrowUp')
  await bob.keyboard.press('ArrowUp')
  const resonance = await dial(bobChain, 'filter', 'Resonance').getAttribute('aria-valuenow')
  expect(Number(resonance)).toBeGreaterThan(0.7)
  await expect(dial(aliceChain, 'filter', 'Resonance')).toHaveAttribute('aria-valuenow', resonance!)

  // Alice adds an EQ, drags it above the filter, moves it back down with the keyboard, bypasses the filter.
  await aliceChain.getByLabel('Add effect').selectOption('eq3')
  await expect.poll(() => kinds(bobChain)).toEqual(['filter', 'eq3'])
  await aliceChain
    .getByRole('button', { name: 'Move EQ (3-band)', exact: true })
    .dragTo(aliceChain.locator('[data-testid="device"][data-kind="filter"]'))
  await expect.poll(() => kinds(bobChain)).toEqual(['eq3', 'filter'])
  await aliceChain.getByRole('button', { name: 'Move EQ (3-band)', exact: true }).press('ArrowDown')
  await expect.poll(() => kinds(bobChain)).toEqual(['filter', 'eq3'])
  await aliceChain.getByRole('button', { name: 'Bypass Filter' }).click()
  await expect(bobChain.getByRole('button', { name: 'Bypass Filter' })).toHaveAttribute(
    'aria-pressed',
    'true',
  )

  // Carol, a viewer, sees the chain and the values but cannot change a knob or the chain.
  const carol = await signUpUser(browser, 'Carol')
  await acceptInvite(carol, await inviteLink(alice, songId, 'viewer'))
  const carolChain = await openChain(carol)
  await expect.poll(() => kinds(carolChain)).toEqual(['filter', 'eq3'])
  const carolCutoff = dial(carolChain, 'filter', 'Cutoff')
  await expect(carolCutoff).toHaveAttribute('aria-valuenow', dragged!)
  await expect(carolCutoff).toHaveAttribute('aria-disabled', 'true')
  // Forced: Playwright would wait for a disabled control to become enabled; Carol just tries.
  await carolCutoff.dblclick({ force: true })
  await carolCutoff.focus()
  await carol.keyboard.press('ArrowUp')
  const carolBox = (await carolCutoff.boundingBox())!
  await carol.mouse.move(carolBox.x + carolBox.width / 2, carolBox.y + carolBox.height / 2)
  await carol.mouse.down()
  await carol.mouse.move(carolBox.x + carolBox.width / 2, carolBox.y - 40, { steps: 4 })
  await carol.mouse.up()
  await expect(carolChain.getByLabel('Cutoff value')).not.toBeEditable()
  await expect(carolChain.getByLabel('Add effect')).toHaveCount(0)
  await expect(carolChain.getByRole('button', { name: 'Bypass Filter' })).toBeDisabled()
  await expect(dial(aliceChain, 'filter', 'Cutoff')).toHaveAttribute('aria-valuenow', dragged!)
  await expect(dial(carolChain, 'filter', 'Cutoff')).toHaveAttribute('aria-valuenow', dragged!)

  // Alice's undo takes back her own edits, newest first, each in one step (the whole drag is one): never
  // Bob's resonance.
  await alice.locator('body').click({ position: { x: 5, y: 300 } })
  await alice.keyboard.press('Control+z') // bypass
  await expect(bobChain.getByRole('button', { name: 'Bypass Filter' })).toHaveAttribute(
    'aria-pressed',
    'false',
  )
  await alice.keyboard.press('Control+z') // keyboard move
  await expect.poll(() => kinds(bobChain)).toEqual(['eq3', 'filter'])
  await alice.keyboard.press('Control+z') // drag move
  await expect.poll(() => kinds(bobChain)).toEqual(['filter', 'eq3'])
  await alice.keyboard.press('Control+z') // adding the EQ
  await expect.poll(() => kinds(bobChain)).toEqual(['filter'])
  await alice.keyboard.press('Control+z') // the whole knob drag, in one step
  await expect(dial(bobChain, 'filter', 'Cutoff')).toHaveAttribute('aria-valuetext', '2.5 kHz')
  await expect(dial(bobChain, 'filter', 'Resonance')).toHaveAttribute('aria-valuenow', resonance!)

  // Double-click resets a knob to its default; removing the filter empties everyone's chain.
  await dial(aliceChain, 'filter', 'Cutoff').dblclick()
  await expect(dial(bobChain, 'filter', 'Cutoff')).toHaveAttribute('aria-valuetext', '1 kHz')
  await aliceChain.getByRole('button', { name: 'Remove Filter' }).click()
  await expect(bobChain.getByTestId('device')).toHaveCount(0)
  await expect(carolChain.getByTestId('device')).toHaveCount(0)
})

test('a chain is saved as a project preset and applied to the master; factory presets apply too', async ({
  browser,
}) => {
  const { alice, bob } = await aliceAndBob(browser)
  const chain = await openChain(alice)
  await chain.getByLabel('Apply preset').selectOption({ label: 'Tight bass' })
  await expect.poll(() => kinds(chain)).toEqual(['filter', 'compressor'])
  await expect(dial(chain, 'filter', 'Cutoff')).toHaveAttribute('aria-valuetext', '35 Hz')
  await chain.getByRole('button', { name: 'Save as preset' }).click()
  await chain.getByLabel('Preset name').fill('Our bass')
  await chain.getByRole('button', { name: 'Save' }).click()

  // Bob applies the band's preset to the master from the mixer's master strip.
  await bob.getByRole('button', { name: 'Mixer' }).click()
  await bob.getByRole('button', { name: 'Effects chain of Master' }).click()
  const master = bob.getByTestId('device-chain')
  await expect(master).toHaveAttribute('data-owner', 'master')
  await master.getByLabel('Apply preset').selectOption({ label: 'Our bass' })
  await expect.poll(() => kinds(master)).toEqual(['filter', 'compressor'])
  await alice.getByTestId('device-chain').getByLabel('Chain of').selectOption({ label: 'Master' })
  await expect.poll(() => kinds(alice.getByTestId('device-chain'))).toEqual(['filter', 'compressor'])
})
