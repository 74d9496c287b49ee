import { aiRouter } from '../ai/router'
import { changesRouter } from '../changes/router'
import { chatRouter, commentsRouter, discussionRouter } from '../discussion/router'
import { invitesRouter } from '../invites/router'
import { membersRouter } from '../members/router'
import { projectsRouter } from '../projects/router'
import { registryRouter } from '../registry/router'
import { roomsRouter } from '../room-tokens/router'
import { router } from '../trpc/init'
import { versionsRouter } from '../versions/router'

/** The whole web API. The browser imports only this type (src/api/client.ts). */
export const appRouter = router({
  projects: projectsRouter,
  members: membersRouter,
  invites: invitesRouter,
  rooms: roomsRouter,
  versions: versionsRouter,
  ai: aiRouter,
  changes: changesRouter,
  registry: registryRouter,
  comments: commentsRouter,
  chat: chatRouter,
  discussion: discussionRouter,
})

export type AppRouter = typeof appRouter
