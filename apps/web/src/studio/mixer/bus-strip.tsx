'use client'

import { addDevice, type BusSnapshot, deleteBus, type PresetDevice, setBusField } from '@ensemble/core'
import { Trash2 } from 'lucide-react'
import { useEffect, useState } from 'react'
import { useStudio } from '../studio-context'
import { ChainButton } from './chain-button'
import { LevelMeter } from './level-meter'
import { StripFader } from './strip-fader'

/**
 * The bus's factory return: a fully wet reverb (the dry signal stays on the tracks), long enough to be heard
 * as a room. One click puts it on the bus's chain; the device chain view edits it from there.
 */
export const REVERB_RETURN: PresetDevice = {
  kind: 'reverb',
  bypass: false,
  params: { decay: 3, preDelay: 10, mix: 100 },
}

/** A return bus's strip: its name (renamed in place), pan, fader, mute, meter, chain summary and delete. */
export function BusStrip({ bus, readOnly }: { bus: BusSnapshot; readOnly: boolean }) {
  const studio = useStudio()
  const { doc, me } = studio.session
  const [name, setName] = useState(bus.name)
  useEffect(() => setName(bus.name), [bus.name])
  const rename = () => {
    const next = name.trim()
    if (next === '' || next === bus.name) setName(bus.name)
    else studio.run(() => setBusField(doc, me, bus.id, 'name', next))
  }
  return (
    <div className="st-strip st-bus" data-testid="bus-strip" data-bus={bus.id}>
      <input
        className="st-strip-name st-bus-name"
        aria-label={`Bus name ${bus.name}`}
        data-testid="bus-name"
        value={name}
        maxLength={200}
        disabled={readOnly}
        onChange={(e) => setName(e.target.value)}
        onBlur={rename}
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.currentTarget.blur()
          if (e.key === 'Escape') setName(bus.name)
        }}
      />
      <StripFader
        name={bus.name}
        pan={bus.pan}
        volumeDb={bus.volumeDb}
        readOnly={readOnly}
        meter={<LevelMeter trackId={null} busId={bus.id} />}
        onPan={(pan) => studio.run(() => setBusField(doc, me, bus.id, 'pan', pan))}
        onVolume={(db) => studio.run(() => setBusField(doc, me, bus.id, 'volumeDb', db))}
      />
      <div className="st-row">
        <button
          type="button"
          className={`st-toggle mute${bus.mute ? ' on' : ''}`}
          aria-pressed={bus.mute}
          aria-label={`Mute ${bus.name}`}
          disabled={readOnly}
          onClick={() => studio.run(() => setBusField(doc, me, bus.id, 'mute', !bus.mute))}
        >
          M
        </button>
        <button
          type="button"
          className="st-toggle"
          aria-label={`Delete bus ${bus.name}`}
          title="Delete the bus, its chain and the sends into it"
          disabled={readOnly}
          onClick={() => studio.run(() => deleteBus(doc, me, bus.id))}
        >
          <Trash2 size={12} aria-hidden />
        </button>
        <ChainButton owner={bus.id} name={bus.name} />
      </div>
      <span className="st-small st-muted st-bus-chain" data-testid="bus-chain">
        {bus.devices.length === 0 ? 'No effects' : bus.devices.map((d) => d.kind).join(' · ')}
      </span>
      {!bus.devices.some((d) => d.kind === 'reverb') && (
        <button
          type="button"
          className="st-small"
          disabled={readOnly}
          onClick={() => studio.run(() => addDevice(doc, me, bus.id, REVERB_RETURN))}
        >
          Reverb return
        </button>
      )}
    </div>
  )
}
