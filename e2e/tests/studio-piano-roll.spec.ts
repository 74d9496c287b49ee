import { openSongAs } from './helpers/open-song'
import {
  addInstrumentTrack,
  clickRoll,
  createClipByDoubleClick,
  dragRoll,
  expectRollNotes,
  openClipEditor,
  rollPoint,
} from './helpers/studio'
import { expect, test } from './helpers/test'

const Q = 480

test('A draws notes in the piano roll and B sees them; move, resize, delete and per-user undo', async ({
  browser,
}) => {
  const a = await openSongAs(browser)
  const b = await openSongAs(browser, a.songId)
  const alice = a.page
  const bob = b.page

  await addInstrumentTrack(alice)
  await createClipByDoubleClick(alice, 0, 0)
  await expect(bob.getByTestId('clip')).toHaveCount(1)
  await openClipEditor(alice, alice.getByTestId('clip').first())

  // Draw: a click places a note one grid step (a quarter) long where the pointer is.
  await clickRoll(alice, 60, 0.2)
  await clickRoll(alice, 64, 1.2)
  await clickRoll(alice, 67, 2.2)
  await expectRollNotes(alice, [
    { pitch: 60, start: 0, duration: Q },
    { pitch: 64, start: Q, duration: Q },
    { pitch: 67, start: 2 * Q, duration: Q },
  ])

  // Bob sees them in the arrangement and in his own piano roll.
  await expect(bob.getByTestId('clip').first()).toHaveAttribute('aria-label', /with 3 notes/)
  await openClipEditor(bob, bob.getByTestId('clip').first())
  await expectRollNotes(bob, [{ pitch: 60 }, { pitch: 64 }, { pitch: 67 }])

  // Move: the select tool drags the E up a tone and a quarter later.
  await alice.keyboard.press('v')
  await dragRoll(alice, await rollPoint(alice, 64, 1.4), await rollPoint(alice, 66, 2.4))
  await expectRollNotes(bob, [
    { pitch: 60, start: 0 },
    { pitch: 66, start: 2 * Q },
    { pitch: 67, start: 2 * Q },
  ])

  // Resize: drag the C's right edge to the end of beat two.
  await dragRoll(alice, await rollPoint(alice, 60, 0.97), await rollPoint(alice, 60, 2))
  await expectRollNotes(bob, [
    { pitch: 60, duration: 2 * Q },
    { pitch: 66, duration: Q },
    { pitch: 67, duration: Q },
  ])

  // Bob draws a note of his own, then Alice box-selects the G and deletes it.
  await clickRoll(bob, 72, 3.3)
  await expectRollNotes(alice, [{ pitch: 60 }, { pitch: 66 }, { pitch: 67 }, { pitch: 72 }])
  const from = await rollPoint(alice, 68, 1.9)
  const to = await rollPoint(alice, 67, 2.9)
  await dragRoll(alice, { x: from.x, y: from.y - 4 }, { x: to.x, y: to.y + 4 })
  await expect(alice.getByTestId('piano-roll')).toHaveAttribute('data-selected', '1')
  await alice.keyboard.press('Delete')
  await expectRollNotes(bob, [{ pitch: 60 }, { pitch: 66 }, { pitch: 72 }])

  // Alice's undo brings her G back and leaves Bob's C6 alone.
  await alice.keyboard.press('Control+z')
  await expectRollNotes(bob, [{ pitch: 60 }, { pitch: 66 }, { pitch: 67 }, { pitch: 72 }])
  // Bob's undo takes back only his note.
  await bob.keyboard.press('Control+z')
  await expectRollNotes(alice, [{ pitch: 60 }, { pitch: 66 }, { pitch: 67 }])

  // Keyboard editing: select all, transpose up, quantize-safe nudge.
  await alice.keyboard.press('Control+a')
  await alice.keyboard.press('ArrowUp')
  await expectRollNotes(bob, [{ pitch: 61 }, { pitch: 67 }, { pitch: 68 }])

  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await alice.screenshot({ path: '.test-results/studio-piano-roll-alice.png' })
  await bob.screenshot({ path: '.test-results/studio-piano-roll-bob.png' })
  await a.context.close()
  await b.context.close()
})

test('the help overlay lists the registered shortcuts', async ({ browser }) => {
  const { page, context } = await openSongAs(browser)
  await page.keyboard.press('?')
  const help = page.getByTestId('help-overlay')
  await expect(help).toBeVisible()
  for (const label of [
    'Undo',
    'Delete selection',
    'Duplicate',
    'Select all',
    'Quantize to the grid',
    'Play / stop',
  ])
    await expect(help.getByText(label, { exact: true })).toBeVisible()
  await page.screenshot({ path: '.test-results/studio-help.png' })
  await page.keyboard.press('Escape')
  await expect(help).toBeHidden()
  await context.close()
})
