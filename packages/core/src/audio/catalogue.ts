/*
 * The audio catalogue without the audio stack: preset ids and names, and the General MIDI drum map. The
 * studio lists instruments and names drum rows from here without pulling Tone.js into the first page load.
 */
export * from './drum-map'
export * from './presets'
