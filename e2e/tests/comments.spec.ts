import type { Page } from '@playwright/test'
import { acceptInvite, createSong, inviteLink, signUpUser } from './helpers/accounts'
import { addInstrumentTrack, createClipByDoubleClick } from './helpers/studio'
import { expect, test } from './helpers/test'

/** The left edge of an element, in page pixels. */
const leftOf = async (page: Page, testId: string): Promise<number> =>
  (await page.getByTestId(testId).first().boundingBox())?.x ?? Number.NaN

test('A comments on B’s clip at bar 9 mentioning B; B sees it live, replies and resolves; the pin follows the clip', async ({
  browser,
}) => {
  const alice = await signUpUser(browser, 'Alice')
  const songId = await createSong(alice, 'Bridge trouble')
  const link = await inviteLink(alice, songId, 'editor', 1)
  const bob = await signUpUser(browser, 'Bob')
  await acceptInvite(bob, link)
  // Wide enough for bar 13 beside the comments panel.
  await alice.setViewportSize({ width: 1900, height: 1000 })
  await bob.setViewportSize({ width: 1900, height: 1000 })

  // Bob's clip at bar 9 (0-based bar 8).
  await addInstrumentTrack(bob)
  await createClipByDoubleClick(bob, 0, 8)
  await expect(alice.getByTestId('clip')).toHaveCount(1)

  // Alice selects it, opens the comments, mentions Bob through the autocomplete.
  await alice.getByTestId('clip').click({ position: { x: 40, y: 30 } })
  await alice.getByTestId('comments-button').click()
  const input = alice.getByTestId('comment-input')
  await input.fill('@Bo')
  await expect(alice.getByRole('button', { name: '@Bob' })).toBeVisible()
  await input.press('Enter')
  await input.pressSequentially('the drums here are too busy <b>really</b>')
  await expect(input).toHaveValue('@Bob the drums here are too busy <b>really</b>')
  await alice.getByRole('button', { name: 'Comment', exact: true }).click()

  // Bob: the pin on the lane at the clip, and the mention badge, live.
  const pin = bob.getByTestId('comment-marker')
  await expect(pin).toHaveCount(1)
  await expect(bob.getByTestId('ruler-comment-marker')).toHaveCount(1)
  await expect(bob.getByTestId('mention-badge')).toHaveText('@1')
  expect(Math.abs((await leftOf(bob, 'clip')) - ((await pin.boundingBox())?.x ?? 0))).toBeLessThan(3)

  // Bob opens the thread from the pin: it says where it is; markup is text.
  await pin.click()
  const thread = bob.getByTestId('comment-thread')
  await expect(thread).toContainText('bar 9')
  await expect(thread).toContainText('<b>really</b>')
  await bob.getByTestId('reply-input').fill('Thinned out the hats')
  await bob.getByTestId('reply-input').press('Enter')
  await bob.getByRole('button', { name: 'Resolve' }).click()

  // Alice sees the reply and the resolve (the open list empties; All shows it resolved).
  await expect(alice.getByTestId('comment-thread')).toHaveCount(0)
  await alice.getByLabel('Show').selectOption('all')
  await expect(alice.getByTestId('comment-thread')).toContainText('Thinned out the hats')
  await expect(alice.getByRole('button', { name: 'Reopen' })).toBeVisible()

  // Alice closes the panel and drags the clip four bars right: the pin moves with it, for Bob too.
  await alice.getByTestId('comments-button').click()
  const bobClipBefore = await leftOf(bob, 'clip')
  const clip = alice.getByTestId('clip')
  const box = (await clip.boundingBox())!
  await alice.mouse.move(box.x + 40, box.y + 30)
  await alice.mouse.down()
  await alice.mouse.move(box.x + 90, box.y + 30, { steps: 4 })
  await alice.mouse.move(box.x + 40 + 28 * 16, box.y + 30, { steps: 6 })
  await alice.mouse.up()
  await expect
    .poll(async () => Math.round((await leftOf(bob, 'clip')) - bobClipBefore))
    .toBeGreaterThan(28 * 16 - 10)
  await expect
    .poll(async () => Math.abs((await leftOf(bob, 'clip')) - ((await pin.boundingBox())?.x ?? 0)))
    .toBeLessThan(3)
  await expect(bob.getByTestId('comment-thread')).toContainText('bar 13')
})
