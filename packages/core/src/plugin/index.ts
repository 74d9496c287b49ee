/*
 * The plugin contract: everything a plugin and a plugin host share. Browser-safe (no Node imports), so the
 * studio, the web server, the inference service and the plugin SDK all use this one definition.
 * Read in this order: manifest.ts, parameters.ts, input.ts, output.ts, context.ts, define.ts, run.ts.
 */

// Core's music facts (time, pitch, keys, chords, drums) are part of the contract: a plugin counts in the
// same ticks and names keys the same way as the song it writes into.
export * from '../music/index'
export {
  type ContextOptions,
  createPluginContext,
  type ModelRunner,
  type ModelTensor,
  type PluginContext,
  type RunContext,
} from './context'
export {
  definePlugin,
  type ManifestDeclaration,
  type Plugin,
  type PluginDefinition,
  type PluginInput,
} from './define'
export { type ContractIssue, formatPath, PluginError, type PluginErrorCode } from './errors'
export {
  createLiveHostLoop,
  type LiveHostClock,
  type LiveHostLoop,
  type LiveHostLoopOptions,
  type LiveHostWindow,
} from './host-loop'
export {
  type ContextTrack,
  ContextTrackSchema,
  MAX_DEADLINE_MS,
  MAX_VARIATIONS,
  type SongContext,
  SongContextSchema,
  type SongKey,
  SongKeySchema,
  type SuggestInput,
  SuggestInputSchema,
  type TargetWindow,
  TargetWindowSchema,
} from './input'
export {
  defineLivePlugin,
  LIVE_HOST_LOOP,
  type LiveNote,
  type LiveNoteEvent,
  LiveNoteEventSchema,
  LiveNoteSchema,
  type LivePartnerSession,
  type LivePlugin,
  type LivePluginDefinition,
  type LiveRun,
  type LiveRunOptions,
  type LiveStart,
  type LiveStartInput,
  LiveStartSchema,
  type LiveWindow,
  LiveWindowSchema,
  MAX_LIVE_BEAT,
  MAX_LIVE_EVENTS,
  MAX_LIVE_NOTES,
  MAX_LIVE_WINDOW_BEATS,
  startLive,
} from './live'
export {
  assertHostCompatible,
  checkManifest,
  type ManifestCheck,
  PLUGIN_ASSET_FORMATS,
  PLUGIN_CAPABILITIES,
  PLUGIN_KINDS,
  PLUGIN_TRACK_KINDS,
  type PluginAsset,
  PluginAssetSchema,
  type PluginCapability,
  type PluginKind,
  type PluginManifest,
  type PluginManifestInput,
  PluginManifestSchema,
  type PluginTrackKind,
  parseManifest,
  SUGGEST_KINDS,
  type SuggestKind,
} from './manifest'
export {
  MAX_ARRANGER_TRACKS,
  type NewTrack,
  NewTrackSchema,
  type NotesSuggestion,
  NotesSuggestionSchema,
  type OutputLimits,
  type Suggestion,
  type SuggestionFor,
  SuggestionSchema,
  type SuggestOutput,
  SuggestOutputSchema,
  type TracksSuggestion,
  TracksSuggestionSchema,
  validateOutput,
} from './output'
export {
  fromControl,
  type ParameterCurve,
  ParameterCurveSchema,
  type ParameterSpec,
  ParameterSpecSchema,
  type ParametersOf,
  type ParameterValue,
  type ParameterValueOf,
  type ParameterValues,
  parameterDefaults,
  parameterProblem,
  resolveParameters,
  toControl,
} from './parameters'
export { createRandom } from './random'
export { checkInput, checkOutput, type RunOptions, runPlugin } from './run'
export { type Theory, theory } from './theory'
export { highestSatisfying, isVersion, isVersionRange, PLUGIN_HOST_API, versionSatisfies } from './version'
export {
  MAX_CONTEXT_TRACKS,
  MAX_NOTES_PER_TRACK,
  MAX_WINDOW_TICKS,
  type PluginNote,
  PluginNoteSchema,
} from './window'
