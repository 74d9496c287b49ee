'use client'

import { MAX_VOLUME_DB, MIN_VOLUME_DB } from '@ensemble/core'
import type { ReactNode } from 'react'
import { formatDb, formatPan } from './mixer-format'

/**
 * The pan and fader of a channel strip (a track's or a bus's), with their readouts and the strip's meter.
 * Double-click puts either back to centre / 0 dB. `onPan` and `onVolume` write the song.
 */
export function StripFader(props: {
  name: string
  pan: number
  volumeDb: number
  readOnly: boolean
  meter: ReactNode
  onPan: (pan: number) => void
  onVolume: (db: number) => void
}) {
  const { name, pan, volumeDb, readOnly, meter, onPan, onVolume } = props
  return (
    <>
      <input
        aria-label={`Pan ${name}`}
        type="range"
        min={-1}
        max={1}
        step={0.05}
        value={pan}
        disabled={readOnly}
        onChange={(e) => onPan(Number(e.target.value))}
        onDoubleClick={() => onPan(0)}
        className="st-pan"
      />
      <span className="st-small st-muted">{formatPan(pan)}</span>
      <div className="st-fader-row">
        <Fader label={`Volume ${name}`} volumeDb={volumeDb} readOnly={readOnly} onVolume={onVolume} />
        {meter}
      </div>
      <span className="st-small">{formatDb(volumeDb)} dB</span>
    </>
  )
}

/** A vertical volume fader in dB; double-click puts it back to 0 dB. */
export function Fader(props: {
  label: string
  volumeDb: number
  readOnly: boolean
  onVolume: (db: number) => void
}) {
  const { label, volumeDb, readOnly, onVolume } = props
  return (
    <input
      aria-label={label}
      type="range"
      className="st-fader"
      min={MIN_VOLUME_DB}
      max={MAX_VOLUME_DB}
      step={0.5}
      value={volumeDb}
      disabled={readOnly}
      onChange={(e) => onVolume(Number(e.target.value))}
      onDoubleClick={() => onVolume(0)}
    />
  )
}
