export { type ConnectSongOptions, connectSong, type SongConnection } from './connect'
export { attachDiscussion, type DiscussionFeed, messageDiscussion, readDiscussionMessage } from './discussion'
export {
  attachSavedStatus,
  computeStatus,
  messageSaved,
  readSavedMessage,
  type SavedStatus,
  type SaveStatus,
} from './saved-status'
