export { type ConnectSongOptions, connectSong, type SongConnection } from './connect'
export {
  attachSavedStatus,
  computeStatus,
  messageSaved,
  readSavedMessage,
  type SavedStatus,
  type SaveStatus,
} from './saved-status'
