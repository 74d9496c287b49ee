import { openSongAs } from './helpers/open-song'
import { expect, test } from './helpers/test'

test('drum step grid: toggles and accents sync between bandmates, and undo is per user', async ({
  browser,
}) => {
  const a = await openSongAs(browser)
  const b = await openSongAs(browser, a.songId)
  const alice = a.page
  const bob = b.page

  await alice.getByRole('button', { name: 'Drum track' }).click()
  // Drag across the empty lane to draw a clip (snapped to beats): bar 1 to the end of bar 2.
  const lane = (await alice.getByTestId('lane').first().boundingBox())!
  await alice.mouse.move(lane.x + 2, lane.y + lane.height / 2)
  await alice.mouse.down()
  await alice.mouse.move(lane.x + 120, lane.y + lane.height / 2, { steps: 5 })
  await alice.mouse.move(lane.x + 28 * 8 + 1, lane.y + lane.height / 2, { steps: 5 })
  await alice.mouse.up()
  await expect(bob.getByTestId('clip')).toHaveCount(1)
  await alice.getByTestId('clip').dblclick()
  const grid = alice.getByTestId('drum-grid')
  await expect(grid).toBeVisible()

  const step = (page: typeof alice, pitch: number, index: number) =>
    page.locator(`[data-pitch="${pitch}"] [data-testid="drum-step"][data-step="${index}"]`)

  // Four on the floor, and a snare on 2 and 4.
  for (const i of [0, 4, 8, 12]) await step(alice, 36, i).click()
  for (const i of [4, 12]) await step(alice, 38, i).click()
  await expect(step(alice, 36, 8)).toHaveAttribute('data-on', 'true')

  await bob.getByTestId('clip').dblclick()
  await expect(step(bob, 36, 12)).toHaveAttribute('data-on', 'true')
  await expect(step(bob, 38, 4)).toHaveAttribute('data-on', 'true')
  await expect(bob.getByTestId('note-count')).toHaveText('6 notes')

  // Bob adds hats; Shift-click accents one (velocity up).
  for (const i of [0, 2, 4, 6]) await step(bob, 42, i).click()
  await step(bob, 42, 2).click({ modifiers: ['Shift'] })
  await expect(step(alice, 42, 2)).toHaveAttribute('title', /velocity 127/)
  await expect(alice.getByTestId('note-count')).toHaveText('10 notes')

  // Alice untoggles a kick, then undoes it; Bob's hats are untouched by her undo.
  await step(alice, 36, 8).click()
  await expect(step(bob, 36, 8)).toHaveAttribute('data-on', 'false')
  await alice.keyboard.press('Control+z')
  await expect(step(bob, 36, 8)).toHaveAttribute('data-on', 'true')
  await expect(step(bob, 42, 6)).toHaveAttribute('data-on', 'true')

  // The same clip in the piano roll, with drum names on the keys.
  await alice.getByRole('button', { name: 'Piano roll' }).click()
  await expect(alice.getByTestId('piano-roll')).toHaveAttribute('aria-label', /10 notes/)
  await alice.getByRole('button', { name: 'Steps' }).click()
  await alice.getByRole('button', { name: 'Mixer' }).click()
  await expect(alice.getByTestId('mixer')).toBeVisible()
  await alice.screenshot({ path: '.test-results/studio-drums.png' })
  await a.context.close()
  await b.context.close()
})
