import { readFileSync } from 'node:fs'
import { addClip, addNote, addTrack, PPQ } from '@ensemble/core'
import type { Locator, Page } from '@playwright/test'
import { acceptInvite, createSong, inviteLink, signUpUser } from './helpers/accounts'
import { writeAsBandmate } from './helpers/bandmate'
import { expect, test } from './helpers/test'

/*
 * Effects, buses and automation between two bandmates, checked by ear: B exports the song as a WAV in the
 * page (the studio's own offline render) and the test measures the samples. 120 bpm: a bar is 2 s.
 */

const BAR = PPQ * 4
/** The arrangement's default zoom (px per quarter note) and an automation lane's height and padding. */
const PX_PER_QUARTER = 28
const LANE_HEIGHT = 56
const LANE_PAD = 6

interface Wav {
  readonly rate: number
  readonly samples: Float32Array
}

/** The WAV B's studio exports, its first channel as floats (16-bit PCM after a 44-byte header). */
async function exportWav(page: Page): Promise<Wav> {
  const download = page.waitForEvent('download')
  await page.getByTestId('export-wav').click()
  const bytes = readFileSync(await (await download).path())
  const channels = bytes.readUInt16LE(22)
  const rate = bytes.readUInt32LE(24)
  const frames = Math.floor((bytes.length - 44) / 2 / channels)
  const samples = new Float32Array(frames)
  for (let i = 0; i < frames; i++) samples[i] = bytes.readInt16LE(44 + i * 2 * channels) / 32_768
  return { rate, samples }
}

const rms = ({ rate, samples }: Wav, from: number, to: number): number => {
  let sum = 0
  const a = Math.floor(from * rate)
  const b = Math.min(samples.length, Math.floor(to * rate))
  for (let i = a; i < b; i++) sum += samples[i]! ** 2
  return Math.sqrt(sum / Math.max(1, b - a))
}

const db = (ratio: number) => 20 * Math.log10(ratio)

/** Clicks a volume lane at a tick and a value in dB (the lane spans -60..+6 dB). */
async function clickLane(page: Page, lane: Locator, tick: number, valueDb: number): Promise<void> {
  const box = (await lane.boundingBox())!
  const x = box.x + (tick / PPQ) * PX_PER_QUARTER + 1
  const y = box.y + LANE_PAD + (1 - (valueDb + 60) / 66) * (LANE_HEIGHT - 2 * LANE_PAD)
  await page.mouse.click(x, y)
}

test('A adds a reverb send and draws a volume ramp; B hears both and undoes nothing of A’s; A’s undo takes them back; a viewer cannot draw', async ({
  browser,
}) => {
  test.setTimeout(240_000)
  const alice = await signUpUser(browser, 'Alice')
  const songId = await createSong(alice, 'Room sound')
  const bob = await signUpUser(browser, 'Bob')
  await acceptInvite(bob, await inviteLink(alice, songId, 'editor', 1))
  const carol = await signUpUser(browser, 'Carol')
  await acceptInvite(carol, await inviteLink(alice, songId, 'viewer', 1))

  // The music, written by a second client: a square lead held for four bars, then two bars of silence (the
  // clip runs on), so the export holds the note's end, its reverb tail and nothing else.
  await writeAsBandmate(alice, songId, (doc, me) => {
    const track = addTrack(doc, me, { kind: 'instrument', name: 'Keys', instrument: 'lead' })
    const { clipId } = addClip(doc, me, track, { start: 0, length: 6 * BAR })
    addNote(doc, me, track, clipId, { pitch: 69, start: 0, duration: 4 * BAR, velocity: 100 })
  })
  for (const page of [alice, bob, carol]) await expect(page.getByTestId('track')).toHaveCount(1)

  // Before: a flat level and no tail once the note has been released (8 s + the lead's quarter-second release).
  const dry = await exportWav(bob)
  const dryTail = rms(dry, 8.6, 9.6)
  const dryRamp = db(rms(dry, 6.5, 7.5) / rms(dry, 0.5, 1.5))
  expect(Math.abs(dryRamp)).toBeLessThan(1)

  // A: a bus with the "Reverb return" preset, and a send to it from the track.
  await alice.getByRole('button', { name: 'Mixer' }).click()
  await alice.getByRole('button', { name: 'Bus', exact: true }).click()
  await expect(alice.getByTestId('bus-strip')).toHaveCount(1)
  await alice.getByRole('button', { name: 'Reverb return' }).click()
  await expect(alice.getByTestId('bus-chain')).toHaveText('reverb')
  await alice.getByLabel('Add send from Keys').selectOption({ label: 'Bus A' })
  await expect(alice.getByTestId('send')).toHaveCount(1)

  // A: a volume ramp from -30 dB at the start to 0 dB at bar 5 (the note's end), drawn with the pencil.
  await alice.getByRole('button', { name: 'Automation of Keys' }).click()
  const aliceLane = alice.getByTestId('automation-canvas')
  await expect(aliceLane).toHaveAttribute('data-lane-key', /^volume:/)
  await clickLane(alice, aliceLane, 0, -30)
  await clickLane(alice, aliceLane, 4 * BAR, 0)
  await expect(aliceLane).toHaveAttribute('data-points', '2')

  // B sees A's points arrive in the same lane, and the bus and send in the mixer.
  await bob.getByRole('button', { name: 'Automation of Keys' }).click()
  const bobLane = bob.getByTestId('automation-canvas')
  await expect(bobLane).toHaveAttribute('data-points', '2')
  await bob.getByRole('button', { name: 'Mixer' }).click()
  await expect(bob.getByTestId('send')).toHaveCount(1)
  // B's fader follows the lane: at the playhead (the song's start) it shows the lane's -30 dB (placed by
  // pixel), not the track's 0 dB setting, which the engine ignores while the lane drives the volume.
  const bobFader = bob.getByLabel('Volume Keys', { exact: true })
  await expect.poll(async () => Number(await bobFader.inputValue())).toBeLessThan(-25)

  // B's undo has nothing of A's to take back.
  await bob.locator('body').click({ position: { x: 5, y: 300 } })
  await bob.keyboard.press('Control+z')
  await expect(bob.getByTestId('send')).toHaveCount(1)
  await expect(bobLane).toHaveAttribute('data-points', '2')

  // B hears it. The ramp: linear in dB from -30 to 0 over 8 s, so the windows centred on 1 s and 7 s sit
  // 22.5 dB apart (±3 dB: the points were placed by pixel, and the reverb adds a little of earlier notes).
  const wet = await exportWav(bob)
  const ramp = db(rms(wet, 6.5, 7.5) / rms(wet, 0.5, 1.5))
  expect(ramp).toBeGreaterThan(19.5)
  expect(ramp).toBeLessThan(25.5)
  // The tail: the 3 s reverb is still ringing a second after the note ended, where the dry track was silent.
  const tail = rms(wet, 8.6, 9.6)
  console.log(
    `ramp ${ramp.toFixed(2)} dB; tail rms ${tail.toExponential(2)} against ${dryTail.toExponential(2)} dry`,
  )
  expect(tail).toBeGreaterThan(10 * Math.max(dryTail, 1e-5))

  // The viewer sees the lane but cannot draw on it.
  await carol.getByRole('button', { name: 'Automation of Keys' }).click()
  const carolLane = carol.getByTestId('automation-canvas')
  await expect(carolLane).toHaveAttribute('data-points', '2')
  await clickLane(carol, carolLane, 2 * BAR, -10)
  await expect(carolLane).toHaveAttribute('data-points', '2')
  await expect(carol.getByLabel('Add send from Keys')).toHaveCount(0)

  await alice.screenshot({ path: '.test-results/studio-automation-drawn.png' })

  // A undoes the points, the send, the reverb and the bus: five steps, her own.
  await alice.locator('body').click({ position: { x: 5, y: 300 } })
  for (let i = 0; i < 5; i++) await alice.keyboard.press('Control+z')
  await expect(bobLane).toHaveAttribute('data-points', '0')
  await expect(bob.getByTestId('bus-strip')).toHaveCount(0)
  // With the lane gone, B's fader shows the track's own setting again.
  await expect(bobFader).toHaveValue('0')
  await expect(bob.getByTestId('track')).toHaveCount(1)

  // B renders again: the ramp and the tail are gone.
  const undone = await exportWav(bob)
  expect(Math.abs(db(rms(undone, 6.5, 7.5) / rms(undone, 0.5, 1.5)))).toBeLessThan(1)
  expect(rms(undone, 8.6, 9.6)).toBeLessThan(tail / 10)
  await alice.screenshot({ path: '.test-results/studio-automation.png' })
})
