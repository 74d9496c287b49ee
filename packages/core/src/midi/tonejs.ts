/*
 * @tonejs/midi ships CommonJS only. Bundlers and vitest give its classes as named exports; Node's own ESM
 * loader cannot see them and offers the whole `module.exports` as `default`. Taking either keeps MIDI I/O
 * working in the browser, on the server and in tests.
 */
import * as midiModule from '@tonejs/midi'

type MidiModule = typeof midiModule

const lib: MidiModule = (midiModule as MidiModule & { default?: MidiModule }).default ?? midiModule

export const Midi = lib.Midi
export type Midi = midiModule.Midi
