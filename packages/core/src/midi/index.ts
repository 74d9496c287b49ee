/*
 * `@ensemble/core/midi`: Standard MIDI File import and export with @tonejs/midi. Browser-safe.
 */
export { exportMidi } from './export'
export { importMidi, importParsedMidi, type MidiImportOptions, type MidiImportResult } from './import'
export { type ParsedMidi, type ParsedNote, type ParsedTrack, parseMidi } from './parse'
export { DRUM_CHANNEL, PROGRAM_FOR_PRESET, presetForProgram } from './programs'
export {
  type MidiProvenance,
  PROVENANCE_TEXT_PREFIX,
  readMidiProvenance,
} from './provenance'
