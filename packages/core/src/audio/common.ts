/*
 * What both audio entries export: everything that does not need a Tone.js module in hand, plus the classes
 * and functions that take one as an argument.
 */

export {
  DRUM_SOUNDS,
  type DrumSound,
  type DrumVoice,
  drumName,
  drumShortName,
  drumSound,
  drumVoice,
} from '../music/drums'
export { AssetBufferCache, type AssetBuffers, type AssetLoader } from './asset-buffers'
export { clipGainAt } from './clip-player'
export {
  type AudioClipEvent,
  audioClipEvent,
  clipEvents,
  diffSong,
  type EngineAction,
  type EngineActionType,
  type NoteEvent,
} from './diff'
export { type ActionListener, AudioEngine, type AudioEngineOptions } from './engine'
export {
  type AudioGraph,
  type ChainOwner,
  describeGraph,
  diffGraph,
  type GraphAction,
  type GraphDevice,
  type GraphSend,
  type GraphStrip,
  type ParamCurve,
} from './graph'
export { createInstrument, type Instrument } from './instruments/index'
export { calibrationClick, type LatencyInput, type LatencyMeasurement, measureLatency } from './latency'
export {
  foldLoopTail,
  LOOP_TAIL_SECONDS,
  type LoopSeam,
  loopSeam,
  SEAM_MAX_JUMP,
  SEAM_STEP_FACTOR,
} from './loop'
export { audibleTracks } from './mix'
export {
  computePeaks,
  decodePeaks,
  encodePeaks,
  MAX_PEAKS_BYTES,
  PEAK_LEVELS,
  type PeakLevel,
  type Peaks,
  PeaksFormatError,
  peakLevelFor,
  peakRange,
} from './peaks'
export type { Levels, PlayerOptions } from './player'
export { TonePlayer } from './player'
export {
  DEFAULT_PRESET,
  INSTRUMENT_PRESETS,
  PRESET_IDS,
  type PresetId,
  type PresetInfo,
  resolvePreset,
} from './presets'
export {
  type RenderedAudio,
  type RenderOptions,
  renderDurationSeconds,
  renderedLength,
  stemOf,
} from './render'
export { songEndTick, type TickRange } from './timing'
export type { ToneContext, ToneLib } from './tone'
export {
  decodeWav,
  encodeWav,
  readWavLoop,
  type WavFormat,
  type WavLoop,
  type WavLoopPoints,
  wavLimitSeconds,
} from './wav'
