import { openSongAs } from './helpers/open-song'
import { addInstrumentTrack } from './helpers/studio'
import { expect, test } from './helpers/test'

/*
 * The AI partner in the studio (issue 24): Alice plays chords with the computer keys while the song plays,
 * the bass partner plays along on its own track (its notes are planned before their beats: none late), and
 * Keep turns what it played into a proposal Bob sees, named "AI partner bass".
 */
test('the bass partner follows the computer keys, and Keep makes a proposal the band sees', async ({
  browser,
}) => {
  test.setTimeout(120_000)
  const a = await openSongAs(browser, undefined, 'Alice')
  const b = await openSongAs(browser, a.songId, 'Bob')
  const alice = a.page
  await addInstrumentTrack(alice)
  await addInstrumentTrack(alice)
  const panel = alice.getByTestId('partner-panel')
  await panel.getByLabel('Partner', { exact: true }).selectOption('bass')
  await alice.getByTestId('computer-keys').click()
  await alice.keyboard.press(' ')
  await expect(alice.getByTestId('play')).toHaveAttribute('aria-pressed', 'true')
  await panel.getByRole('button', { name: 'Start partner' }).click()
  // A C major chord (A D G on the home row: C E G), held for about two bars at 120 bpm.
  for (const key of ['a', 'd', 'g']) await alice.keyboard.down(key)
  await expect
    .poll(async () => Number((await panel.getByTestId('partner-played').textContent())?.split(' ')[0]), {
      timeout: 15_000,
    })
    .toBeGreaterThanOrEqual(4)
  for (const key of ['a', 'd', 'g']) await alice.keyboard.up(key)
  await expect(panel.getByTestId('partner-played')).toHaveAttribute('data-late', '0')
  await panel.getByRole('button', { name: 'Stop partner' }).click()
  await alice.keyboard.press(' ')
  await panel.getByRole('button', { name: 'Keep' }).click()
  await expect(panel.getByRole('status')).toContainText('Kept as a proposal: AI partner bass', {
    timeout: 15_000,
  })
  await expect(b.page.getByTestId('proposal-overlay')).toContainText('AI partner bass', { timeout: 15_000 })
  await a.context.close()
  await b.context.close()
})
