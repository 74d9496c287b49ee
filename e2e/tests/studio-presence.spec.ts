import { openSongAs } from './helpers/open-song'
import { addInstrumentTrack, createClipByDoubleClick } from './helpers/studio'
import { expect, test } from './helpers/test'

test('each bandmate sees the others’ cursors and tracks, and can follow a bandmate’s view', async ({
  browser,
}) => {
  const a = await openSongAs(browser, undefined, 'Alice')
  const b = await openSongAs(browser, a.songId, 'Bob')
  const alice = a.page
  const bob = b.page
  await expect(alice.getByTestId('presence').locator('li')).toHaveCount(2)

  // Bob changes the tempo; Alice sees it.
  await bob.getByTestId('song-tempo').fill('96')
  await bob.getByTestId('song-tempo').press('Enter')
  await expect(alice.getByTestId('song-tempo')).toHaveValue('96')

  await addInstrumentTrack(alice)
  await createClipByDoubleClick(alice, 0, 1)
  await expect(bob.getByTestId('clip')).toHaveCount(1)

  // Bob's pointer over the lane shows on Alice's screen, in his colour, with his name.
  const lane = (await bob.getByTestId('lane').first().boundingBox())!
  await bob.mouse.move(lane.x + 300, lane.y + 20)
  await bob.mouse.move(lane.x + 320, lane.y + 24)
  await expect(alice.getByTestId('remote-cursor')).toHaveCount(1)
  await expect(alice.getByTestId('remote-cursor')).toContainText('Bob')

  // Bob selects the clip: Alice sees it outlined in his colour; his dot is on the track.
  await bob.getByTestId('clip').first().click()
  await expect(alice.getByTestId('clip').first()).toHaveAttribute('style', /box-shadow/)
  await expect(alice.getByTestId('track').first().locator('.st-visitors span')).toHaveCount(1)

  // Alice follows Bob: when he opens the clip, her editor opens it too.
  await alice.getByTestId('avatar').click()
  await expect(alice.getByText('Following Bob')).toBeVisible()
  await bob.getByTestId('clip').first().dblclick()
  await expect(alice.getByTestId('piano-roll')).toBeVisible()
  await alice.screenshot({ path: '.test-results/studio-following.png' })
  await alice.getByRole('button', { name: 'Stop' }).click()
  await expect(alice.getByText('Following Bob')).toBeHidden()
  await a.context.close()
  await b.context.close()
})
