import { readFileSync } from 'node:fs'
import { decodeWav, readWavLoop } from '@ensemble/core/audio'
import { signUpUser } from './helpers/accounts'
import { expect, test } from './helpers/test'

/*
 * "New background track" from the home page to a song the band can edit: the settings, one click, progress,
 * then the studio with the four tracks the models wrote (accepted by the asker's tab as it arrives), at the
 * planned tempo, and undoable as one step.
 */
test('New background track makes a four-track song that opens in the studio', async ({ browser }) => {
  const page = await signUpUser(browser, 'Maker')
  await page.getByTestId('background-open').click()
  const form = page.getByTestId('background-maker')
  await form.getByLabel('Mood').selectOption('happy')
  await form.getByLabel('Style').selectOption('folk')
  await form.getByLabel('Length', { exact: true }).fill('12')
  // A tempo outside what the style was played at is held to its range, and the form says so.
  await form.getByLabel('Fit tempo to length').uncheck()
  await form.getByLabel('Tempo (bpm)').fill('200')
  await expect(page.getByTestId('background-tempo-note')).toContainText('it will be made at 140 bpm')
  await form.getByLabel('Fit tempo to length').check()
  await expect(page.getByTestId('background-tempo-note')).toHaveCount(0)
  // Why 4/4 only is said in the form.
  await expect(page.getByTestId('background-metre')).toContainText('4/4 only')
  // The plan is shown before anything runs: 12 s at a fitted tempo, looping.
  await expect(page.getByTestId('background-plan')).toContainText('12.0 s, looping back into bar 1')
  await form.getByRole('button', { name: 'Make it' }).click()
  await expect(page.getByTestId('background-progress')).not.toBeEmpty()
  await page.waitForURL(/\/songs\/[0-9a-f-]{36}$/, { timeout: 60_000 })
  const names = page.getByTestId('track-name')
  await expect(names).toHaveCount(4, { timeout: 30_000 })
  await expect(names.nth(0)).toHaveValue('Melody')
  await expect(names.nth(3)).toHaveValue('Drums')
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  // Exported as a seamless loop: exactly the song's length, its loop points in the file (smpl and cue).
  await page.getByLabel('Audio export range').selectOption('seamless')
  const download = page.waitForEvent('download')
  await page.getByTestId('export-wav').click()
  const bytes = new Uint8Array(readFileSync((await (await download).path()) ?? ''))
  const frames = decodeWav(bytes).channels[0]?.length ?? 0
  expect(Math.abs(frames / 44_100 - 12)).toBeLessThan(0.7)
  expect(readWavLoop(bytes)).toEqual({ loop: { start: 0, end: frames }, cues: [0, frames] })
  // The asker's acceptance is theirs to undo, in one step.
  await page.getByRole('button', { name: 'Undo' }).click()
  await expect(names).toHaveCount(0)
})
