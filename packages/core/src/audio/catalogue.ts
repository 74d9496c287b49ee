/*
 * The audio catalogue without the audio stack: preset ids and names, and the drum map (music/drums.ts). The
 * studio lists instruments and names drum rows from here without pulling Tone.js into the first page load.
 */
export * from '../music/drums'
export * from './presets'
