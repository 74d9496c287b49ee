'use client'

import { PPQ } from '@ensemble/core'
import { useSyncExternalStore } from 'react'
import { CommandButton } from '../editor/clip-editor'
import { SongFiles } from '../files/song-files'
import { RecordControls } from '../recording/record-controls'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { PositionDisplay } from './position-display'

const SNAPS: readonly { label: string; ticks: number }[] = [
  { label: 'Off', ticks: 0 },
  { label: '1/32', ticks: PPQ / 8 },
  { label: '1/16', ticks: PPQ / 4 },
  { label: '1/8', ticks: PPQ / 2 },
  { label: '1/4', ticks: PPQ },
  { label: '1 bar', ticks: PPQ * 4 },
]

export function TransportBar({ children }: { children?: React.ReactNode }) {
  const studio = useStudio()
  const { transport } = studio
  const playing = useSyncExternalStore(transport.subscribe, transport.playing, () => false)
  const loop = useView(studio.view, (s) => s.loop.enabled)
  const metronome = useView(studio.view, (s) => s.metronome)
  const snap = useView(studio.view, (s) => s.snap)
  const mixerOpen = useView(studio.view, (s) => s.mixerOpen)
  return (
    <div className="st-transport" role="toolbar" aria-label="Transport">
      <CommandButton id="rewind">⇤</CommandButton>
      <button
        type="button"
        data-testid="play"
        className={`st-play${playing ? ' is-on' : ''}`}
        aria-pressed={playing}
        title="Play / stop (Space)"
        onClick={() => transport.toggle()}
      >
        {playing ? '■ Stop' : '▶ Play'}
      </button>
      <CommandButton id="loop-region" pressed={loop}>
        ⟳ Loop
      </CommandButton>
      <CommandButton id="metronome" pressed={metronome}>
        ♩ Click
      </CommandButton>
      <PositionDisplay />
      <RecordControls transport={studio.audio} />
      <label className="st-small">
        Snap{' '}
        <select
          aria-label="Snap"
          value={String(snap)}
          onChange={(e) => studio.view.set({ snap: Number(e.target.value) })}
        >
          {SNAPS.map((s) => (
            <option key={s.label} value={String(s.ticks)}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <CommandButton id="zoom-out">−</CommandButton>
      <CommandButton id="zoom-in">+</CommandButton>
      <button
        type="button"
        aria-pressed={mixerOpen}
        className={mixerOpen ? 'is-on' : undefined}
        onClick={() => studio.view.set((s) => ({ mixerOpen: !s.mixerOpen }))}
      >
        Mixer
      </button>
      {children}
      <span className="st-grow" />
      <SongFiles />
      <CommandButton id="help">?</CommandButton>
    </div>
  )
}
