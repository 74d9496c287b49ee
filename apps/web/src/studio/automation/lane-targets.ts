import {
  type AutomationTarget,
  effectDescriptor,
  INSTRUMENT_PARAMETERS,
  laneKey,
  MAX_VOLUME_DB,
  MIN_VOLUME_DB,
  type MixerSnapshot,
  type TrackSnapshot,
} from '@ensemble/core'

/** What one automation lane can move, as the lane draws and labels it. */
export interface LaneTarget {
  readonly key: string
  readonly target: AutomationTarget
  readonly label: string
  readonly min: number
  readonly max: number
  readonly units: string
  /** How values spread over the lane's height: frequencies and times on a log scale, as their knobs. */
  readonly scale: 'linear' | 'log'
  /** The value while the lane has no points (the fader, the send level, the knob): a new lane starts there. */
  readonly resting: number
}

const db = { min: MIN_VOLUME_DB, max: MAX_VOLUME_DB, units: 'dB', scale: 'linear' } as const

/**
 * Every target a track's lanes can choose, in the order the chooser lists them: the fader (volume, pan), each
 * send, each numeric parameter of each insert, then the instrument's parameters. Choices and switches have no
 * curve, so they are not offered (core refuses them too).
 */
export const laneTargets = (track: TrackSnapshot, mixer: MixerSnapshot): LaneTarget[] => {
  const out: LaneTarget[] = []
  const add = (target: AutomationTarget, rest: Omit<LaneTarget, 'key' | 'target'>) =>
    out.push({ key: laneKey(target), target, ...rest })
  add({ kind: 'volume', owner: track.id }, { label: 'Volume', ...db, resting: track.volumeDb })
  add(
    { kind: 'pan', owner: track.id },
    { label: 'Pan', min: -1, max: 1, units: '', scale: 'linear', resting: track.pan },
  )
  for (const send of mixer.sends) {
    if (send.from !== track.id) continue
    const bus = mixer.buses.find((b) => b.id === send.to)
    add(
      { kind: 'send', send: send.id },
      { label: `Send → ${bus?.name ?? 'bus'}`, ...db, resting: send.levelDb },
    )
  }
  for (const [i, device] of (mixer.chains[track.id] ?? []).entries()) {
    const descriptor = effectDescriptor(device.kind)
    for (const p of descriptor.parameters) {
      if (p.type !== 'float' && p.type !== 'int') continue
      add(
        { kind: 'device', device: device.id, param: p.id },
        {
          label: `${i + 1}. ${descriptor.label}: ${p.label}`,
          min: p.min,
          max: p.max,
          units: p.units ?? '',
          scale: p.curve === 'log' ? 'log' : 'linear',
          resting: Number(device.params[p.id] ?? p.default),
        },
      )
    }
  }
  if (track.kind !== 'audio')
    for (const p of INSTRUMENT_PARAMETERS)
      add(
        { kind: 'instrument', track: track.id, param: p.id },
        {
          label: `Instrument: ${p.label}`,
          min: p.min,
          max: p.max,
          units: p.units ?? '',
          scale: p.curve === 'log' ? 'log' : 'linear',
          resting: p.default,
        },
      )
  return out
}

/** A value in the target's real units, as the lane and its header print it. */
export const formatValue = (target: LaneTarget, value: number): string => {
  if (target.target.kind === 'pan')
    return Math.abs(value) < 0.005 ? 'C' : `${value < 0 ? 'L' : 'R'}${Math.round(Math.abs(value) * 100)}`
  if (target.units === 'dB' && value <= MIN_VOLUME_DB) return '−∞ dB'
  if (target.units === 'Hz' && value >= 1_000)
    return `${(value / 1_000).toFixed(value >= 10_000 ? 1 : 2)} kHz`
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  const sign = target.units === 'dB' && value > 0 ? '+' : ''
  return `${sign}${value.toFixed(digits)}${target.units ? ` ${target.units}` : ''}`
}
