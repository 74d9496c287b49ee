'use client'

import {
  addBus,
  type CurvePoint,
  MASTER,
  MAX_BUSES,
  readMixer,
  readTracks,
  setMute,
  setPan,
  setSolo,
  setVolume,
} from '@ensemble/core'
import { Plus } from 'lucide-react'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { useAutomatedValue } from './automated-value'
import { BusStrip } from './bus-strip'
import { ChainButton } from './chain-button'
import { LevelMeter, LimiterReadout } from './level-meter'
import { formatDb } from './mixer-format'
import { Fader, StripFader } from './strip-fader'
import { TrackSends } from './track-sends'
import './mixer.css'

/**
 * Channel strips for every track (volume, pan, mute, solo, level meter, sends), the return buses and the
 * master bus. Track and bus settings are song state, shared with the band; the master level is this
 * listener's own monitoring volume.
 */
export function Mixer() {
  const studio = useStudio()
  const { doc, me } = studio.session
  const tracks = useSong(doc, readTracks)
  const mixer = useSong(doc, readMixer)
  const master = useView(studio.view, (s) => s.masterDb)
  const readOnly = studio.session.role === 'viewer'
  const lanes = new Map(mixer.automation.map((lane) => [lane.key, lane.points]))
  return (
    <section className="st-mixer" aria-label="Mixer" data-testid="mixer">
      {tracks.map((t) => (
        <div key={t.id} className="st-strip" style={{ ['--track' as string]: t.colour }}>
          <div className="st-strip-name" title={t.name}>
            {t.name || 'Track'}
          </div>
          <TrackFader
            name={t.name}
            pan={t.pan}
            volumeDb={t.volumeDb}
            volumeLane={lanes.get(`volume:${t.id}`)}
            panLane={lanes.get(`pan:${t.id}`)}
            readOnly={readOnly}
            meter={<LevelMeter trackId={t.id} />}
            onPan={(pan) => studio.run(() => setPan(doc, me, t.id, pan))}
            onVolume={(db) => studio.run(() => setVolume(doc, me, t.id, db))}
          />
          <div className="st-row">
            <button
              type="button"
              className={`st-toggle mute${t.mute ? ' on' : ''}`}
              aria-pressed={t.mute}
              disabled={readOnly}
              onClick={() => studio.run(() => setMute(doc, me, t.id, !t.mute))}
            >
              M
            </button>
            <button
              type="button"
              className={`st-toggle solo${t.solo ? ' on' : ''}`}
              aria-pressed={t.solo}
              disabled={readOnly}
              onClick={() => studio.run(() => setSolo(doc, me, t.id, !t.solo))}
            >
              S
            </button>
          </div>
          <ChainButton owner={t.id} name={t.name} />
          {
            <TrackSends
              trackId={t.id}
              trackName={t.name}
              sends={mixer.sends}
              buses={mixer.buses}
              readOnly={readOnly}
            />
          }
        </div>
      ))}
      {mixer.buses.map((bus) => (
        <BusStrip key={bus.id} bus={bus} readOnly={readOnly} />
      ))}
      <button
        type="button"
        className="st-add-bus"
        disabled={readOnly || mixer.buses.length >= MAX_BUSES}
        title="Add a return bus (a track of its own that sends feed)"
        onClick={() => studio.run(() => addBus(doc, me))}
      >
        <Plus size={12} aria-hidden /> Bus
      </button>
      <div className="st-strip st-master">
        <div className="st-strip-name">Master</div>
        <div className="st-fader-row">
          <Fader
            label="Master volume"
            volumeDb={master}
            readOnly={false}
            onVolume={(db) => studio.view.set({ masterDb: db })}
          />
          <LevelMeter trackId={null} />
        </div>
        <span className="st-small">{formatDb(master)} dB</span>
        <LimiterReadout />
        <ChainButton owner={MASTER} name="Master" />
      </div>
    </section>
  )
}

/** A track's pan and fader, showing the automated value at the playhead where a lane drives them. */
function TrackFader(
  props: Omit<Parameters<typeof StripFader>[0], 'pan' | 'volumeDb'> & {
    pan: number
    volumeDb: number
    volumeLane: readonly CurvePoint[] | undefined
    panLane: readonly CurvePoint[] | undefined
  },
) {
  const { volumeLane, panLane, ...strip } = props
  const volumeDb = useAutomatedValue(volumeLane, props.volumeDb)
  const pan = useAutomatedValue(panLane, props.pan)
  return <StripFader {...strip} volumeDb={volumeDb} pan={pan} />
}
