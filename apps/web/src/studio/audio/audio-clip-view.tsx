'use client'

import { MIN_CLIP_GAIN_DB, PPQ, secondsToTicks } from '@ensemble/core'
import { memo } from 'react'
import { useAudioStored } from './asset-arrivals'
import { Waveform } from './waveform'

/** What an audio clip's block needs from the song's clip record. */
export interface AudioClipShape {
  readonly id: string
  readonly name: string
  readonly asset: string
  readonly start: number
  readonly offset: number
  readonly length: number
  readonly gainDb: number
  readonly fadeIn: number
  readonly fadeOut: number
  readonly takeIndex: number
  readonly active: boolean
}

const WAVE_HEIGHT = 40

const HANDLE_PX = 8

/** A fade handle's left, centred on the fade's end but kept inside the clip (at 0 it sits in the corner). */
const handleAt = (x: number, width: number) => Math.max(0, Math.min(width - HANDLE_PX, x - HANDLE_PX / 2))

/** "+3.5 dB", "0.0 dB", "−∞ dB" (the bottom of the range is silence). */
export function formatGainDb(db: number): string {
  if (db <= MIN_CLIP_GAIN_DB) return '−∞ dB'
  const text = Math.abs(db).toFixed(1)
  return `${db > 0 ? '+' : db < 0 && text !== '0.0' ? '−' : ''}${text} dB`
}

/**
 * One audio clip on its lane: the waveform of the part of the asset it plays, shaped by its gain and fades,
 * the fades as ramps with a handle at each top corner (drag along the clip), the clip gain as a handle in
 * dB (drag up or down, double-click for 0 dB), its take number when it is one of several passes, and
 * "uploading n %" while its audio is still on its way ("waiting for audio" when nobody online is uploading
 * it, e.g. a take recorded offline). A take that is not chosen is drawn faint behind the chosen one. The
 * arrangement's pointer gestures read the handles' data attributes.
 */
export const AudioClipView = memo(function AudioClipView(props: {
  clip: AudioClipShape
  projectId: string
  bpm: number
  pxPerQuarter: number
  colour: string
  selected: boolean
  /** Whether this listener may edit it: viewers get no handles. */
  editable: boolean
  /** The take numbers (`takeIndex`) of the clip's group, in recording order. */
  takes: readonly number[]
  /** Percent, while any tab of the song uploads this clip's asset. */
  uploading: number | null
  /** Makes another take of this clip's group the one that plays (absent for viewers). */
  onChooseTake?: (takeIndex: number) => void
}) {
  const { clip, bpm, pxPerQuarter, colour } = props
  const pxPerSecond = (secondsToTicks(1, bpm) / PPQ) * pxPerQuarter
  const width = Math.max(4, clip.length * pxPerSecond)
  const fadeIn = clip.fadeIn * pxPerSecond
  const fadeOut = clip.fadeOut * pxPerSecond
  const stored = useAudioStored(props.projectId, clip.asset)
  return (
    <div
      data-testid="audio-clip"
      data-clip-id={clip.id}
      data-audio-clip-id={clip.id}
      data-selected={props.selected}
      data-asset={clip.asset}
      data-active={clip.active}
      data-audio={stored ? 'stored' : 'pending'}
      data-fade-in={clip.fadeIn}
      data-fade-out={clip.fadeOut}
      data-gain-db={clip.gainDb}
      data-start={clip.start}
      data-length={clip.length}
      role="img"
      aria-label={`Audio clip ${clip.name || 'untitled'}${props.takes.length > 1 ? `, take ${clip.takeIndex + 1}` : ''}`}
      className={`st-clip st-audio-clip${clip.active ? '' : ' is-inactive'}${props.selected ? ' is-selected' : ''}`}
      style={{ width, ['--track' as string]: colour }}
    >
      <div className="st-clip-title">
        {props.takes.length > 1 && clip.active && props.onChooseTake ? (
          <select
            className="st-take-choice"
            aria-label="Take"
            data-testid="take-choice"
            value={clip.takeIndex}
            onPointerDown={(e) => e.stopPropagation()}
            onChange={(e) => props.onChooseTake?.(Number(e.target.value))}
          >
            {props.takes.map((i) => (
              <option key={i} value={i}>
                Take {i + 1}
              </option>
            ))}
          </select>
        ) : (
          props.takes.length > 1 && <span className="st-take-number">T{clip.takeIndex + 1} </span>
        )}
        {clip.name || ' '}
      </div>
      <Waveform
        projectId={props.projectId}
        asset={clip.asset}
        offset={clip.offset}
        length={clip.length}
        gainDb={clip.gainDb}
        fadeIn={clip.fadeIn}
        fadeOut={clip.fadeOut}
        width={width}
        height={WAVE_HEIGHT}
        colour={colour}
      />
      {(fadeIn > 0 || fadeOut > 0) && (
        <svg className="st-fades" width={width} height={WAVE_HEIGHT} aria-hidden>
          {/* The part a fade takes away is shaded above its ramp. */}
          {fadeIn > 0 && <path className="st-fade-shade" d={`M0 0L${fadeIn} 0L0 ${WAVE_HEIGHT}Z`} />}
          {fadeOut > 0 && (
            <path className="st-fade-shade" d={`M${width - fadeOut} 0L${width} 0L${width} ${WAVE_HEIGHT}Z`} />
          )}
          {fadeIn > 0 && <path d={`M0 ${WAVE_HEIGHT}L${fadeIn} 0`} />}
          {fadeOut > 0 && <path d={`M${width - fadeOut} 0L${width} ${WAVE_HEIGHT}`} />}
        </svg>
      )}
      <span className="st-clip-edge" data-edge="left" />
      <span className="st-clip-edge" data-edge="right" />
      {props.editable && clip.active && (
        <>
          <span
            className="st-fade-handle"
            data-fade="in"
            data-testid="fade-in-handle"
            title="Fade in: drag along the clip"
            style={{ left: handleAt(Math.min(fadeIn, width - fadeOut), width) }}
          />
          <span
            className="st-fade-handle"
            data-fade="out"
            data-testid="fade-out-handle"
            title="Fade out: drag along the clip"
            style={{ left: handleAt(Math.max(fadeIn, width - fadeOut), width) }}
          />
          <span
            className={`st-gain-handle${clip.gainDb === 0 ? '' : ' is-set'}`}
            data-gain-handle=""
            data-testid="clip-gain"
            title="Clip gain: drag up or down; double-click for 0 dB"
          >
            {formatGainDb(clip.gainDb)}
          </span>
        </>
      )}
      {props.uploading !== null ? (
        <span className="st-upload-badge" data-testid="upload-progress">
          uploading {props.uploading} %
        </span>
      ) : (
        !stored && (
          <span className="st-upload-badge" data-testid="audio-pending">
            waiting for audio
          </span>
        )
      )}
    </div>
  )
})
