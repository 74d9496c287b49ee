import { addTrack } from '@ensemble/core'
import type { RunningServer } from '../../src/server/app'
import type { Role } from '../../src/server/collab/tokens'
import type { Database } from '../../src/server/db'
import type { Caller } from './api'
import { isSaved, openSongAs } from './clients'
import { seedProject } from './projects'
import { collabUrl } from './server'
import { waitFor } from './wait'

/**
 * A project with these members whose first member has written one instrument track through a real collab
 * connection, saved on the server: the server's copy is the room's, as the suites over the WebSocket need.
 */
export async function seedSongWithTrack(
  database: Database,
  server: RunningServer,
  members: readonly { caller: Caller; role: Role }[],
  trackName: string,
): Promise<{ projectId: string; trackId: string }> {
  const projectId = await seedProject(
    database.db,
    members.map((m) => ({ userId: m.caller.userId, role: m.role })),
  )
  const writer = members[0]
  if (!writer) throw new Error('a song needs a member to write it')
  const song = await openSongAs(collabUrl(server), writer.caller, projectId)
  const trackId = addTrack(song.doc, song.me, { kind: 'instrument', name: trackName })
  await waitFor(() => isSaved(song), 'track saved')
  song.destroy()
  return { projectId, trackId }
}
