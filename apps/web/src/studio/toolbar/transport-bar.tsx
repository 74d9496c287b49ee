'use client'

import { PPQ } from '@ensemble/core'
import {
  Keyboard,
  Metronome,
  Play,
  Repeat,
  SkipBack,
  SlidersVertical,
  Square,
  ZoomIn,
  ZoomOut,
} from 'lucide-react'
import { useSyncExternalStore } from 'react'
import { CommandButton } from '../commands/command-button'
import { SongFiles } from '../files/song-files'
import { JamControls } from '../jam/jam-controls'
import { PartnerPanel } from '../partner/partner-panel'
import { RecordControls } from '../recording/record-controls'
import { useStudio } from '../studio-context'
import { PositionDisplay } from '../transport/position-display'
import { useView } from '../view/view-store'
import './transport-bar.css'

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
      <CommandButton id="rewind" icon={SkipBack} />
      <button
        type="button"
        data-testid="play"
        className={`st-play${playing ? ' is-on' : ''}`}
        aria-pressed={playing}
        title="Play / stop (Space)"
        onClick={() => transport.toggle()}
      >
        {playing ? (
          <Square size={14} aria-hidden fill="currentColor" />
        ) : (
          <Play size={14} aria-hidden fill="currentColor" />
        )}
        {playing ? 'Stop' : 'Play'}
      </button>
      <CommandButton id="loop-region" icon={Repeat} pressed={loop} />
      <CommandButton id="metronome" icon={Metronome} pressed={metronome} />
      <PositionDisplay />
      <RecordControls transport={studio.audio} />
      <JamControls />
      <PartnerPanel transport={studio.audio} />
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
      <span className="st-seg">
        <CommandButton id="zoom-out" icon={ZoomOut} />
        <CommandButton id="zoom-in" icon={ZoomIn} />
      </span>
      <button
        type="button"
        aria-pressed={mixerOpen}
        className={mixerOpen ? 'is-on' : undefined}
        onClick={() => studio.view.set((s) => ({ mixerOpen: !s.mixerOpen }))}
      >
        <SlidersVertical size={15} aria-hidden /> Mixer
      </button>
      {children}
      <span className="st-grow" />
      <SongFiles />
      <CommandButton id="help" icon={Keyboard} />
    </div>
  )
}
