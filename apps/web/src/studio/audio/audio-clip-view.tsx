'use client'

import { PPQ, secondsToTicks } from '@ensemble/core'
import { memo } from 'react'
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

/**
 * One audio clip on its lane: the waveform of the part of the asset it plays, its fades as ramps, its
 * take number when it is one of several passes, and "uploading n %" while its audio is still on its way.
 * A take that is not chosen is drawn faint behind the chosen one.
 */
export const AudioClipView = memo(function AudioClipView(props: {
  clip: AudioClipShape
  projectId: string
  bpm: number
  pxPerQuarter: number
  colour: string
  selected: boolean
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
  return (
    <div
      data-testid="audio-clip"
      data-clip-id={clip.id}
      data-audio-clip-id={clip.id}
      data-selected={props.selected}
      data-asset={clip.asset}
      data-active={clip.active}
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
        width={width}
        height={WAVE_HEIGHT}
        colour={colour}
      />
      {(fadeIn > 0 || fadeOut > 0) && (
        <svg className="st-fades" width={width} height={WAVE_HEIGHT} aria-hidden>
          {fadeIn > 0 && <path d={`M0 ${WAVE_HEIGHT}L${fadeIn} 0`} />}
          {fadeOut > 0 && <path d={`M${width - fadeOut} 0L${width} ${WAVE_HEIGHT}`} />}
        </svg>
      )}
      <span className="st-clip-edge" data-edge="left" />
      <span className="st-clip-edge" data-edge="right" />
      {props.uploading !== null && (
        <span className="st-upload-badge" data-testid="upload-progress">
          uploading {props.uploading} %
        </span>
      )}
    </div>
  )
})
