import { openSongAs } from './helpers/open-song'
import {
  addInstrumentTrack,
  createClipByDoubleClick,
  expectRollNotes,
  openClipEditor,
} from './helpers/studio'
import { expect, test } from './helpers/test'

test('arrangement edits with shortcuts, playback with space, and recording from the computer keyboard', async ({
  browser,
}) => {
  const a = await openSongAs(browser)
  const b = await openSongAs(browser, a.songId)
  const alice = a.page
  const bob = b.page

  await addInstrumentTrack(alice)
  await createClipByDoubleClick(alice, 0, 0)
  const clip = alice.getByTestId('clip').first()
  await expect(clip).toHaveAttribute('data-selected', 'true')

  // Duplicate (Ctrl+D) puts a copy right after; Ctrl+L loops it; both reach Bob.
  await alice.keyboard.press('Control+d')
  await expect(bob.getByTestId('clip')).toHaveCount(2)
  await alice.keyboard.press('Control+l')
  await expect(bob.getByTestId('clip').nth(1)).toContainText('⟳')

  // Drag the loop clip one bar later (arrangement zoom: 28 px a quarter).
  const second = alice.getByTestId('clip').nth(1)
  const box = (await second.boundingBox())!
  await alice.mouse.move(box.x + 20, box.y + 30)
  await alice.mouse.down()
  await alice.mouse.move(box.x + 80, box.y + 30, { steps: 4 })
  await alice.mouse.move(box.x + 20 + 28 * 4, box.y + 30, { steps: 4 })
  await alice.mouse.up()
  await expect
    .poll(async () =>
      Math.round(
        (await bob.getByTestId('clip').nth(1).boundingBox())!.x -
          (await bob.getByTestId('clip').first().boundingBox())!.x,
      ),
    )
    .toBe(28 * 8)

  // Resize the first clip by its right edge to two bars, then split it at the playhead (bar 2).
  const first = (await clip.boundingBox())!
  await alice.mouse.move(first.x + first.width - 2, first.y + 30)
  await alice.mouse.down()
  await alice.mouse.move(first.x + first.width + 60, first.y + 30, { steps: 4 })
  await alice.mouse.move(first.x + first.width + 28 * 4 - 2, first.y + 30, { steps: 4 })
  await alice.mouse.up()
  await expect
    .poll(async () => Math.round((await bob.getByTestId('clip').first().boundingBox())!.width))
    .toBe(28 * 8)
  await alice.getByTestId('ruler').click({ position: { x: 28 * 4 + 1, y: 8 } })
  await expect(alice.getByTestId('position')).toContainText('2.1.1')
  await clip.click()
  await alice.keyboard.press('Control+e')
  await expect(bob.getByTestId('clip')).toHaveCount(3)
  await alice.keyboard.press('Delete')
  await expect(bob.getByTestId('clip')).toHaveCount(1)
  await alice.keyboard.press('Control+z')
  await expect(bob.getByTestId('clip')).toHaveCount(3)

  // Space plays and stops; the counter moves.
  await alice.getByTestId('ruler').click({ position: { x: 2, y: 8 } })
  await alice.keyboard.press(' ')
  await expect(alice.getByTestId('play')).toHaveAttribute('aria-pressed', 'true')
  await expect(alice.getByTestId('position')).not.toContainText('1.1.1', { timeout: 5000 })
  await alice.keyboard.press(' ')
  await expect(alice.getByTestId('play')).toHaveAttribute('aria-pressed', 'false')

  // Record from the computer keyboard into the first clip, without count-in, quantized.
  await openClipEditor(alice, clip)
  await alice.getByLabel('Clip length in bars').selectOption('4')
  await alice.getByTestId('computer-keys').click()
  await alice.getByLabel('Count-in').uncheck()
  await alice.getByTestId('record').click()
  await expect(alice.getByTestId('record')).toContainText('Rec')
  for (const key of ['a', 'd', 'g']) {
    await alice.keyboard.down(key)
    await alice.waitForTimeout(200)
    await alice.keyboard.up(key)
    await alice.waitForTimeout(150)
  }
  await alice.getByTestId('record').click()
  await expect(alice.getByTestId('record')).toHaveText('● Rec')
  await expectRollNotes(alice, [{ pitch: 60 }, { pitch: 64 }, { pitch: 67 }])
  await expect(bob.getByTestId('clip').first()).toHaveAttribute('aria-label', /with 3 notes/)
  await alice.screenshot({ path: '.test-results/studio-recorded.png' })
  await a.context.close()
  await b.context.close()
})
