import { openSongAs } from './helpers/open-song'
import { addInstrumentTrack, clickRoll, createClipByDoubleClick, openClipEditor } from './helpers/studio'
import { expect, test } from './helpers/test'

/*
 * "What next" and "what it knows" (issue 25), in the real studio with the real drums model: a melody over an
 * empty drum track offers Drums, one click opens the drum track's AI panel with the drums plugin and its
 * training coverage, and once drums are accepted the offer goes; the band that used it rates it in the gallery.
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
  // Accepting reports the decision by the ids the server gave the proposal and its variations; it takes it.
  const decided = page.waitForResponse((r) => r.url().includes('ai.decide'))
  await panel.getByRole('button', { name: 'Accept' }).click()
  await expect(panel.getByTestId('proposal')).toHaveCount(0)
  const decision = await decided
  expect(decision.ok()).toBe(true)
  expect(JSON.stringify(await decision.json())).toContain('"recorded":true')
  // The drums play now: the offer is gone, the others stay.
  await expect(drums).toHaveCount(0)
  await expect(next.getByRole('button', { name: 'Continue Keys' })).toBeVisible()
  await page.screenshot({ path: '.test-results/what-next.png' })

  // Having used the drums plugin, the band rates it in the gallery like a registry plugin: once, editable.
  const gallery = await a.context.newPage()
  await gallery.goto(`/plugins?project=${a.songId}`)
  const own = gallery.getByTestId('own-plugin').filter({ hasText: 'Drums' })
  await expect(own).toContainText('Not rated yet')
  await own.getByLabel('Rate Drums').selectOption('4')
  await expect(own.getByTestId('rating')).toContainText('4.0 · 1 band')
  await own.getByLabel('Rate Drums').selectOption('2')
  await expect(own.getByTestId('rating')).toContainText('2.0 · 1 band')
  await a.context.close()
})
