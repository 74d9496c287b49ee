'use client'

import { addDevice, type DeviceSnapshot, MASTER, readMixer, readTracks } from '@ensemble/core'
import { SlidersHorizontal, X } from 'lucide-react'
import type * as Y from 'yjs'
import { LevelMeter } from '../mixer/level-meter'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { AddDevice } from './add-device'
import { ChainPresets } from './chain-presets'
import { DeviceCard } from './device-card'
import { useRemoteGrabs } from './knob-presence'
import './devices.css'

const NO_DEVICES: readonly DeviceSnapshot[] = []

/** The devices of one chain, in order; the same array while that chain is untouched. */
const chainSelector =
  (owner: string) =>
  (doc: Y.Doc): readonly DeviceSnapshot[] => {
    const mixer = readMixer(doc)
    if (owner === MASTER) return mixer.master
    return mixer.chains[owner] ?? mixer.buses.find((b) => b.id === owner)?.devices ?? NO_DEVICES
  }

interface ChainOwner {
  readonly id: string
  readonly name: string
  /** Track owners have a level meter (the engine meters tracks and the master, not buses). */
  readonly meter: 'track' | 'master' | null
}

const readOwners = (doc: Y.Doc): readonly ChainOwner[] => [
  ...readTracks(doc).map((t) => ({ id: t.id, name: t.name || 'Track', meter: 'track' as const })),
  ...readMixer(doc).buses.map((b) => ({ id: b.id, name: b.name || 'Bus', meter: null })),
  { id: MASTER, name: 'Master', meter: 'master' as const },
]

const sameOwners = (a: readonly ChainOwner[], b: readonly ChainOwner[]) =>
  a.length === b.length && a.every((o, i) => o.id === b[i]!.id && o.name === b[i]!.name)

/**
 * The insert chain of a track, a bus or the master, beside the arrangement: add an effect from the
 * catalogue, reorder, bypass, remove, turn every parameter, and apply or save presets. Viewers see it all
 * and change nothing; a bandmate's knob drag shows their name on that knob.
 */
export function DeviceChainPanel({ owner }: { owner: string }) {
  const studio = useStudio()
  const { doc, me } = studio.session
  const readOnly = studio.session.role === 'viewer'
  const devices = useSong(doc, chainSelector(owner), [owner])
  const owners = useSong(doc, readOwners, [], sameOwners)
  const grabs = useRemoteGrabs()
  const current = owners.find((o) => o.id === owner)
  const close = () => studio.view.set({ chainOwner: null })

  if (current === undefined)
    return (
      <aside className="st-devices" aria-label="Effects">
        <p className="st-empty">This chain’s track or bus is gone.</p>
        <button type="button" className="button" onClick={close}>
          Close
        </button>
      </aside>
    )
  return (
    <aside className="st-devices" aria-label="Effects" data-testid="device-chain" data-owner={owner}>
      <header className="st-devices-head">
        <h2>
          <SlidersHorizontal size={15} aria-hidden /> Effects
        </h2>
        <select
          aria-label="Chain of"
          value={owner}
          onChange={(e) => studio.view.set({ chainOwner: e.target.value })}
        >
          {owners.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
        {current.meter && (
          <span className="st-devices-meter" title="Level after the chain and the fader">
            <LevelMeter trackId={current.meter === 'master' ? null : owner} />
          </span>
        )}
        <button type="button" className="st-icon-button" aria-label="Close effects" onClick={close}>
          <X size={15} aria-hidden />
        </button>
      </header>
      {readOnly && <p className="st-muted st-small">You are viewing: the chain is read-only.</p>}
      {!readOnly && <ChainPresets owner={owner} empty={devices.length === 0} />}
      {devices.length === 0 && (
        <p className="st-empty st-small">No effects yet: the signal passes as it is.</p>
      )}
      <div className="st-device-list">
        {devices.map((d, i) => (
          <DeviceCard
            key={d.id}
            device={d}
            index={i}
            count={devices.length}
            readOnly={readOnly}
            grabs={grabs}
          />
        ))}
      </div>
      {!readOnly && (
        <AddDevice disabled={false} onAdd={(kind) => studio.run(() => addDevice(doc, me, owner, { kind }))} />
      )}
    </aside>
  )
}
