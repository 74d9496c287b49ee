/*
 * The song model's public surface. Y-structure accessors (./ydoc) stay private to core: everything outside
 * core reads through the snapshot readers and writes through the operations.
 */
export {
  type AcceptNotesInput,
  type AcceptTracksInput,
  acceptNotesSuggestion,
  acceptTracksSuggestion,
  type RunSettings,
  type SuggestedNote,
  toSuggestInput,
} from './ai'
export {
  type AnchorLoss,
  type AnchorPosition,
  type CommentAnchor,
  CommentAnchorSchema,
  MAX_ANCHOR_NOTES,
  type PlacedAnchor,
  placeAnchor,
  resolveAnchor,
} from './anchors'
export { addAudioAsset, parseAudioAsset, readAudioAsset, readAudioAssets } from './audio-assets'
export {
  type AddAudioClipInput,
  addAudioClip,
  audioClipEnd,
  deleteAudioClips,
  duplicateAudioClips,
  moveAudioClips,
  renameAudioClip,
  setAudioClipFades,
  setAudioClipGain,
  splitAudioClip,
  trimAudioClip,
} from './audio-clips'
export {
  type AutomationPointInput,
  type AutomationPointPatch,
  addAutomationPoints,
  clearAutomation,
  deleteAutomationPoints,
  laneKey,
  type TargetRange,
  targetRange,
  updateAutomationPoints,
} from './automation'
export { automationValueAt, type CurvePoint, segmentValue } from './automation-curve'
export {
  type BandModel,
  type Decision,
  LEARNED_AFTER,
  learnBandModel,
  PRIOR_WEIGHTS,
  type RankedVariation,
  rankVariations,
} from './band-ranker'
export {
  type AddBusInput,
  addBus,
  deleteBus,
  removeSend,
  type SetSendInput,
  sendId,
  setBusField,
  setSend,
} from './buses'
export { applyChainPreset, deleteChainPreset, saveChainPreset } from './chain-presets'
export {
  type AuthorChanges,
  type ChangePlace,
  ChangeSummariser,
  type ChangeSummary,
  type SummaryItem,
  type TrackChanges,
} from './change-summary'
export {
  diffSongStates,
  listChanges,
  MAX_HIGHLIGHTED_NOTES,
  MIXER_FIELDS,
  type MixerField,
  readSongState,
  type SongChange,
  type SongChangeKind,
  SongChangeSchema,
  type SongState,
} from './changes'
export {
  type ClientWriteRefusal,
  clientWriteRefusal,
  type ProvenanceCheck,
  SEAL_ORIGIN,
  sealLegacyRuns,
} from './client-writes'
export {
  type AddClipInput,
  addClip,
  type ClipRef,
  deleteClip,
  deleteClips,
  duplicateClip,
  moveClip,
  moveClips,
  renameClip,
  resizeClip,
  splitClip,
} from './clips'
export {
  type AddDeviceInput,
  addDevice,
  moveDevice,
  removeDevice,
  removeDevices,
  setDeviceBypass,
  setDeviceParams,
} from './devices'
export {
  DELAY_DIVISIONS,
  divisionBeats,
  EFFECT_DESCRIPTORS,
  EFFECT_KINDS,
  type EffectDescriptor,
  type EffectKind,
  EffectKindSchema,
  effectDescriptor,
  effectParameter,
  effectValues,
} from './effects/catalogue'
export { FACTORY_PRESETS, type FactoryDevice, type FactoryPreset } from './effects/factory-presets'
export { SongError, type SongErrorCode } from './errors'
export { INSTRUMENT_PARAMETERS, instrumentParameter } from './instrument-parameters'
export { observeTitle, setKey, setTempo, setTimeSignature, setTitle } from './meta'
export { createSongDoc, MIGRATION_ORIGIN, migrateSong, songVersion } from './migrate'
export { setColour, setInstrument, setMute, setPan, setSolo, setVolume } from './mixer'
export { MAX_NEXT_STEPS, type NextAction, type NextStep, nextSteps } from './next-steps'
export {
  addNote,
  addNotes,
  DEFAULT_VELOCITY,
  deleteNotes,
  duplicateNotes,
  moveNotes,
  type NoteInput,
  type NotePatch,
  quantizeNotes,
  resizeNotes,
  setNoteVelocities,
  transposeNotes,
  updateNotes,
} from './notes'
export {
  AiAcceptedOrigin,
  AiProposalOrigin,
  type AiRun,
  actingUser,
  type EditOrigin,
  RemoteOrigin,
  RestoreOrigin,
  type SongOrigin,
  SystemOrigin,
  UserOrigin,
} from './origins'
export {
  type AcceptProposalOptions,
  AiRunSchema,
  acceptProposal,
  addProposal,
  createProposalStore,
  dismissProposal,
  MAX_OPEN_PROPOSALS,
  MAX_PROPOSAL_NOTES,
  MAX_PROPOSAL_VARIATIONS,
  observeProposals,
  type Proposal,
  type ProposalInput,
  ProposalSchema,
  readProposal,
  readProposals,
} from './proposals'
export {
  type PlacedNote,
  playedNotes,
  readAudioClip,
  readClip,
  readMeta,
  readMixer,
  readNotesInRange,
  readSong,
  readTrack,
  readTracks,
} from './read'
export { applyRestore, restoreUpdate, restoreVersion } from './restore'
export * from './schema'
export { createSongStore, deepEqual, type Equality, type SongStore, shallowEqual, subscribe } from './store'
export { chooseTake, listTakes, type TakeSummary } from './takes'
export {
  type AddTrackInput,
  addTrack,
  deleteTrack,
  deleteTracks,
  duplicateTrack,
  renameTrack,
  reorderTrack,
  TRACK_COLOURS,
} from './tracks'
export { createUndo, type SongUndo, type UndoOptions, undoOwner } from './undo'
export {
  FEATURES,
  type Feature,
  type FeatureVector,
  type VariationContext,
  variationContext,
  variationFeatures,
} from './variation-features'
export { readWindow, type SongWindow, type WindowTrack } from './window'
