export { type ConnectSongOptions, connectSong, type SongConnection } from './connect'
export {
  attachSavedStatus,
  computeStatus,
  type SavedStatus,
  type SaveStatus,
} from './saved-status'
