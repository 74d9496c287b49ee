import { openSongAs } from './helpers/open-song'
import { addInstrumentTrack, clickRoll, createClipByDoubleClick, openClipEditor } from './helpers/studio'
import { expect, test } from './helpers/test'

/*
 * "What next" and "what it knows" (issue 25), in the real studio with the real drums model: a melody over an
 * empty drum track offers Drums, one click opens the drum track's AI panel with the drums plugin and its
 * training coverage, and once drums are accepted the offer goes.
 */
test('an empty drum track under a melody offers Drums; one click opens its AI panel ready to ask, with what the model knows', async ({
  browser,
}) => {
  test.setTimeout(150_000)
  const a = await openSongAs(browser, undefined, 'Erin')
  const page = a.page
  await addInstrumentTrack(page)
  await createClipByDoubleClick(page, 0, 0)
  await openClipEditor(page, page.getByTestId('clip').first())
  for (const [i, pitch] of [60, 62, 64, 67].entries()) await clickRoll(page, pitch, i + 0.2)
  await page.getByRole('button', { name: 'Drum track' }).click()

  const next = page.getByRole('navigation', { name: 'What next' })
  const drums = next.getByRole('button', { name: 'Drums under Keys' })
  await expect(drums).toBeVisible()
  // A one-bar melody and no bass: the Arranger and Continue are offered too.
  await expect(next.getByRole('button', { name: 'Arrange: bass and harmony' })).toBeVisible()
  await expect(next.getByRole('button', { name: 'Continue Keys' })).toBeVisible()

  await drums.click()
  const panel = page.getByTestId('ai-panel')
  await expect(panel.getByLabel('Plugin')).toHaveValue('studio.ensemble.drums', { timeout: 30_000 })
  const training = panel.getByTestId('ai-plugin-training')
  await training.getByText('What it knows and what it does not').click()
  await expect(training).toContainText('Groove MIDI')
  await expect(training).toContainText('Metres other than 4/4')

  await panel.getByLabel('Variations').fill('3')
  await panel.getByRole('button', { name: 'Generate' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(1, { timeout: 60_000 })
  await expect(panel.getByRole('button', { name: /^Variation 3/ })).toBeVisible()
  await panel.getByRole('button', { name: 'Accept' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(0)
  // The drums play now: the offer is gone, the others stay.
  await expect(drums).toHaveCount(0)
  await expect(next.getByRole('button', { name: 'Continue Keys' })).toBeVisible()
  await page.screenshot({ path: '.test-results/what-next.png' })
  await a.context.close()
})
