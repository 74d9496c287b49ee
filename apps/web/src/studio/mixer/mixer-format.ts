import { MIN_VOLUME_DB } from '@ensemble/core'

/** Fader values as the mixer prints them: dB with a sign (the floor is silence), pan as L/C/R. */
export const formatDb = (db: number) => (db <= MIN_VOLUME_DB ? '−∞' : `${db > 0 ? '+' : ''}${db.toFixed(1)}`)

export const formatPan = (pan: number) =>
  Math.abs(pan) < 0.01 ? 'C' : pan < 0 ? `L${Math.round(-pan * 100)}` : `R${Math.round(pan * 100)}`
