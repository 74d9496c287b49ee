/*
 * The live partners a browser can load as they are: no model files to read, no Node imports. The model
 * partners (call and response, drummer) read their weights' digests from disk when their module loads and
 * are exported from `@ensemble/plugins/first-party`; see docs/ARCHITECTURE.md "AI partner".
 * Imports here and in bass.ts are extensionless: the studio's bundler (Turbopack) does not map `.js` to `.ts`.
 */
export { BASS_ID, bassPartner, type ImpliedChord, impliedChord } from './bass'
export { type HeardNote, HeardNotes } from './heard'
