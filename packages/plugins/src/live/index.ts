/*
 * The live partners a page can load in its own thread: no model, no Node imports. The model partners (call
 * and response, drummer) run in the studio's partner worker from `@ensemble/plugins/live-models`
 * (in-page.ts), which the worker bundle alone imports, so tfjs stays out of the page's bundle; Node hosts
 * register them from `@ensemble/plugins/first-party`. See docs/ARCHITECTURE.md "AI partner".
 * Imports here and in bass.ts are extensionless: the studio's bundler (Turbopack) does not map `.js` to `.ts`.
 */
export { BASS_ID, bassPartner, type ImpliedChord, impliedChord } from './bass'
export { type HeardNote, HeardNotes } from './heard'
