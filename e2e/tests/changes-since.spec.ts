import { acceptInvite, createSong, inviteLink, signUpUser } from './helpers/accounts'
import { expect, test } from './helpers/test'

/*
 * Issue 23, "what changed since you left", in two browsers: Bob edits while Alice is away; when she
 * comes back the studio lists exactly Bob's changes, a line jumps to the clip, and "Mark as seen"
 * clears it for good.
 */
test('Alice comes back to a summary of what Bob changed while she was away', async ({ browser }) => {
  const alice = await signUpUser(browser, 'Alice')
  const songId = await createSong(alice, 'Night drive')
  // Her own edit: never news to her.
  await alice.getByRole('button', { name: 'Drum track' }).click()
  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  const link = await inviteLink(alice, songId, 'editor')
  const bob = await signUpUser(browser, 'Bob')
  await acceptInvite(bob, link)
  await expect(bob.getByTestId('track')).toHaveCount(1)

  // Alice leaves the song: her visit is recorded as she goes (up to the log's head).
  await alice.goto('/')
  const input = encodeURIComponent(JSON.stringify({ projectId: songId }))
  await expect
    .poll(async () => {
      const res = await alice.request.get(`/api/trpc/changes.since?input=${input}`)
      const { result } = (await res.json()) as { result: { data: { seenSeq: number; headSeq: number } } }
      return result.data.seenSeq === result.data.headSeq
    })
    .toBe(true)

  // While she is away, Bob adds a clip to the drums and changes the tempo.
  await bob.getByRole('button', { name: 'Add clip' }).click()
  await bob.getByTestId('song-tempo').fill('100')
  await bob.getByTestId('song-tempo').press('Enter')
  await expect(bob.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  // Bob, who was there, has nothing to catch up on.
  await expect(bob.getByRole('region', { name: 'Changes since your last visit' })).toHaveCount(0)

  await alice.goto(`/songs/${songId}`)
  const summary = alice.getByRole('region', { name: 'Changes since your last visit' })
  await expect(summary).toBeVisible()
  await expect(summary.getByTestId('since-author')).toHaveCount(1)
  await expect(summary.getByTestId('since-author')).toContainText('Bob')
  await expect(summary.getByTestId('since-item')).toHaveText([
    /^added a clip bar 1$/,
    /^changed tempo 120 → 100$/,
  ])
  await alice.screenshot({ path: '.test-results/changes-since.png' })

  // A line jumps to its place: the clip Bob added is selected in the arrangement.
  await summary.getByTestId('since-item').first().click()
  await expect(alice.getByTestId('clip')).toHaveAttribute('data-selected', 'true')

  await summary.getByRole('button', { name: 'Mark as seen' }).click()
  await expect(summary).toHaveCount(0)
  await alice.reload()
  await expect(alice.getByTestId('track')).toHaveCount(1)
  await expect(alice.getByTestId('save-status')).toHaveAttribute('data-status', 'saved')
  await expect(alice.getByRole('region', { name: 'Changes since your last visit' })).toHaveCount(0)
})
