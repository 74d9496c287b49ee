/*
 * What each first-party model was trained on, as the studio shows it where a plugin is chosen (the manifest's
 * `training`). The long form, with counts and sources, is each model's MODEL_CARD.md ("What it knows and
 * what it does not"); these are its short summaries and must say the same.
 */

const CHORALES =
  '305 four-part chorale harmonisations by J. S. Bach (Leipzig, 1720s–40s): Baroque, German, Lutheran hymn tunes for SATB choir, in major and minor keys'
const FOLK =
  '1,037 British and Irish folk tunes (jigs, reels, hornpipes, waltzes, airs) with chord accompaniment, from the Nottingham Music Database'

export const HARMONIZER_TRAINING = {
  knows: `${CHORALES}.`,
  doesNotKnow:
    'Jazz, pop or modal harmony, extended chords, non-Western scales and tunings (makam, raga, pentatonic traditions), instruments other than voices, and music outside Europe.',
} as const

export const CONTINUE_TRAINING = {
  knows: `${CHORALES}; and ${FOLK}.`,
  doesNotKnow:
    'Popular, jazz or contemporary styles, syncopated or swung melody, odd metres, microtones, and any tradition outside Western Europe (no African, Asian, Middle Eastern or Latin American music).',
} as const

export const DRUMS_TRAINING = {
  knows:
    'Groove MIDI: 1,021 performances by 10 drummers (two play 73 %) on one electronic kit, 4/4 only; mostly rock (30 %), funk, jazz, Latin and Afro-Cuban, hip-hop, punk, New Orleans and soul.',
  doesNotKnow:
    'Metres other than 4/4, swing and ghost-note dynamics (quantised to 16ths), hand percussion and non-kit instruments, and styles with few or no examples: blues, reggae, Afrobeat, Middle Eastern, Indian, East Asian.',
} as const

export const ARRANGER_TRAINING = {
  knows: `Its chords and bass come from the harmonizer's model (${CHORALES}); its drums from the drums model (Groove MIDI, 4/4 kit grooves, mostly rock and funk).`,
  doesNotKnow:
    'Arrangement styles of pop, jazz or film music, instruments beyond chords, bass and a drum kit, and any tradition outside Western Europe and North America.',
} as const
