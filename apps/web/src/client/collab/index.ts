export { type AssetFeed, type AssetNotice, attachAssetFeed } from './asset-stored'
export { type ConnectSongOptions, connectSong, type SongConnection } from './connect'
export { attachDiscussion, type DiscussionFeed, readDiscussionMessage } from './discussion'
export { attachJamLink, type JamLink, type JamLinkEvents } from './jam-link'
export {
  attachSavedStatus,
  computeStatus,
  type SavedStatus,
  type SaveStatus,
} from './saved-status'
