/*
 * The music facts every layer shares, each stated once: time (PPQ, beats and bars of a time signature),
 * pitch names, keys and their modes, chords, and the drum map. Pure and browser-safe; the song model, the
 * audio engine and the plugin contract build on it, and the plugin contract re-exports it.
 */
export * from './chords'
export * from './drums'
export * from './pitch'
export * from './scales'
export * from './schemas'
export * from './time'
