/*
 * One description of the mix as an audio graph, pure: song snapshot → strips (tracks and buses, each with
 * its inserts, fader and sends), the master chain, and every automation lane as a parameter curve. The live
 * engine and the offline render both build their Tone graph from it (through `diffGraph`, the same way the
 * notes go through `diffSong`), so an export sounds like what the studio plays:
 *
 *   instrument (→ level, tone when automated) / audio clips → inserts → fader (volume, pan, mute/solo) ─→ master
 *                                     ├─ pre-fader sends ─┐       └─ post-fader sends ─┐
 *                                     bus: inserts → fader ─→ master ←─────────────────┘
 *   master → master chain → master limiter → out
 */
import type { ParameterValue } from '../plugin/parameters'
import {
  type AutomationLane,
  type CurvePoint,
  type DeviceSnapshot,
  divisionBeats,
  type EffectKind,
  INSTRUMENT_PARAMETERS,
  MIN_VOLUME_DB,
  type SongSnapshot,
} from '../song/index'
import { audibleTracks } from './mix'

/** Breakpoints in ticks, values in the target's own units; empty when the target is not automated. */
export type ParamCurve = readonly CurvePoint[]

export interface GraphDevice {
  readonly id: string
  readonly kind: EffectKind
  readonly bypass: boolean
  /** Every parameter, in real units; a tempo-synced delay also gets `seconds`, its time at the song's tempo. */
  readonly params: Readonly<Record<string, ParameterValue>>
  /** Automated parameters by id. */
  readonly automation: Readonly<Record<string, ParamCurve>>
}

export interface GraphSend {
  readonly id: string
  readonly bus: string
  /** The level, or -Infinity while the track is not heard (muted, or another track soloed). */
  readonly levelDb: number
  readonly preFader: boolean
  readonly automation: ParamCurve
}

export interface GraphStrip {
  readonly id: string
  readonly inserts: readonly GraphDevice[]
  readonly volumeDb: number
  readonly pan: number
  readonly audible: boolean
  readonly volumeAutomation: ParamCurve
  readonly panAutomation: ParamCurve
  /** Empty on buses. */
  readonly sends: readonly GraphSend[]
  /** Automated instrument parameters (song/instrument-parameters.ts) by id; empty on buses and audio tracks. */
  readonly instrumentAutomation: Readonly<Record<string, ParamCurve>>
}

export interface AudioGraph {
  readonly tracks: ReadonlyMap<string, GraphStrip>
  readonly buses: ReadonlyMap<string, GraphStrip>
  readonly master: readonly GraphDevice[]
}

const NONE: ParamCurve = []

const lanesOf = (lanes: readonly AutomationLane[]): ReadonlyMap<string, ParamCurve> =>
  new Map(lanes.map((lane) => [lane.key, lane.points]))

const device = (d: DeviceSnapshot, lanes: ReadonlyMap<string, ParamCurve>, bpm: number): GraphDevice => {
  const automation: Record<string, ParamCurve> = {}
  for (const id of Object.keys(d.params)) {
    const curve = lanes.get(`device:${d.id}:${id}`)
    if (curve !== undefined) automation[id] = curve
  }
  const params =
    d.kind === 'delay'
      ? { ...d.params, seconds: (divisionBeats(String(d.params.division)) * 60) / bpm }
      : d.params
  return { id: d.id, kind: d.kind, bypass: d.bypass, params, automation }
}

const NO_PARAMS: Readonly<Record<string, ParamCurve>> = {}

const instrumentLanes = (
  trackId: string,
  lanes: ReadonlyMap<string, ParamCurve>,
): Readonly<Record<string, ParamCurve>> => {
  const automation: Record<string, ParamCurve> = {}
  let any = false
  for (const param of INSTRUMENT_PARAMETERS) {
    const curve = lanes.get(`instrument:${trackId}:${param.id}`)
    if (curve === undefined) continue
    automation[param.id] = curve
    any = true
  }
  // The shared empty record when nothing is automated, so the diff skips the track at a glance.
  return any ? automation : NO_PARAMS
}

const cache = new WeakMap<SongSnapshot, AudioGraph>()

export const describeGraph = (song: SongSnapshot): AudioGraph => {
  const known = cache.get(song)
  if (known !== undefined) return known
  const { mixer } = song
  const bpm = song.meta.bpm
  const lanes = lanesOf(mixer.automation)
  const heard = audibleTracks(song.tracks)
  const chain = (devices: readonly DeviceSnapshot[] | undefined) =>
    (devices ?? []).map((d) => device(d, lanes, bpm))
  const tracks = new Map<string, GraphStrip>()
  for (const track of song.tracks) {
    const audible = heard.has(track.id)
    tracks.set(track.id, {
      id: track.id,
      inserts: chain(mixer.chains[track.id]),
      volumeDb: track.volumeDb,
      pan: track.pan,
      audible,
      volumeAutomation: lanes.get(`volume:${track.id}`) ?? NONE,
      panAutomation: lanes.get(`pan:${track.id}`) ?? NONE,
      sends: mixer.sends
        .filter((s) => s.from === track.id)
        .map((s) => ({
          id: s.id,
          bus: s.to,
          levelDb: audible && s.levelDb > MIN_VOLUME_DB ? s.levelDb : Number.NEGATIVE_INFINITY,
          preFader: s.preFader,
          automation: audible ? (lanes.get(`send:${s.id}`) ?? NONE) : NONE,
        })),
      instrumentAutomation: track.kind === 'audio' ? NO_PARAMS : instrumentLanes(track.id, lanes),
    })
  }
  const buses = new Map<string, GraphStrip>()
  for (const bus of mixer.buses)
    buses.set(bus.id, {
      id: bus.id,
      inserts: chain(bus.devices),
      volumeDb: bus.volumeDb,
      pan: bus.pan,
      audible: !bus.mute,
      volumeAutomation: lanes.get(`volume:${bus.id}`) ?? NONE,
      panAutomation: lanes.get(`pan:${bus.id}`) ?? NONE,
      sends: [],
      instrumentAutomation: NO_PARAMS,
    })
  const graph: AudioGraph = { tracks, buses, master: chain(mixer.master) }
  cache.set(song, graph)
  return graph
}

/** Where a chain sits: a track's inserts, a bus's, or the master's. */
export type ChainOwner = { readonly kind: 'track' | 'bus'; readonly id: string } | { readonly kind: 'master' }

export type GraphAction =
  | { readonly type: 'addBus'; readonly busId: string }
  | { readonly type: 'removeBus'; readonly busId: string }
  /** The chain's devices, order or bypass switches changed: it is re-wired (devices that stay keep their node). */
  | { readonly type: 'chain'; readonly owner: ChainOwner; readonly devices: readonly GraphDevice[] }
  /** One parameter of one device changed: that node alone is updated. */
  | {
      readonly type: 'param'
      readonly deviceId: string
      readonly param: string
      readonly value: ParameterValue
    }
  /** An instrument parameter's lane changed (an empty curve puts the parameter back to its default). */
  | {
      readonly type: 'instrumentAutomation'
      readonly trackId: string
      readonly param: string
      readonly curve: ParamCurve
    }
  | {
      readonly type: 'deviceAutomation'
      readonly deviceId: string
      readonly param: string
      readonly curve: ParamCurve
    }
  /** A bus's fader (a track's is the engine's `mix` action, and its automation below). */
  | {
      readonly type: 'busFader'
      readonly busId: string
      readonly volumeDb: number
      readonly pan: number
      readonly audible: boolean
    }
  | {
      readonly type: 'faderAutomation'
      readonly strip: 'track' | 'bus'
      readonly id: string
      readonly volume: ParamCurve
      readonly pan: ParamCurve
      /** The fader's own values, which hold again where a lane is removed. */
      readonly volumeDb: number
      readonly panValue: number
    }
  /** The track's sends, all of them (a handful of gains: rebuilt whole). */
  | { readonly type: 'sends'; readonly trackId: string; readonly sends: readonly GraphSend[] }

/** Curves compare by their points: the stored points keep their identity while unchanged. */
const sameCurve = (a: ParamCurve | undefined, b: ParamCurve | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((p, i) => p === b[i]))

const sameChainShape = (a: readonly GraphDevice[], b: readonly GraphDevice[]): boolean =>
  a.length === b.length &&
  a.every((d, i) => d.id === b[i]!.id && d.kind === b[i]!.kind && d.bypass === b[i]!.bypass)

const diffChain = (
  owner: ChainOwner,
  before: readonly GraphDevice[],
  after: readonly GraphDevice[],
  out: GraphAction[],
): void => {
  if (before === after) return
  if (!sameChainShape(before, after)) {
    out.push({ type: 'chain', owner, devices: after })
  } else {
    for (const [i, next] of after.entries()) {
      const was = before[i]!
      for (const [param, value] of Object.entries(next.params))
        if (was.params[param] !== value) out.push({ type: 'param', deviceId: next.id, param, value })
    }
  }
  // Automation after the chain, whose nodes it drives; a re-wired chain brings its curves back too.
  for (const [i, next] of after.entries()) {
    const was = sameChainShape(before, after) ? before[i]!.automation : {}
    const params = new Set([...Object.keys(was), ...Object.keys(next.automation)])
    for (const param of params)
      if (!sameCurve(was[param], next.automation[param]))
        out.push({
          type: 'deviceAutomation',
          deviceId: next.id,
          param,
          curve: next.automation[param] ?? NONE,
        })
  }
}

const sameSends = (a: readonly GraphSend[], b: readonly GraphSend[]): boolean =>
  a.length === b.length &&
  a.every((s, i) => {
    const t = b[i]!
    return (
      s.id === t.id && s.levelDb === t.levelDb && s.preFader === t.preFader && s.automation === t.automation
    )
  })

/** A strip's volume and pan lanes, re-driven when either changed (with the fader's values to fall back on). */
const diffFaderAutomation = (
  strip: 'track' | 'bus',
  before: GraphStrip,
  after: GraphStrip,
  out: GraphAction[],
): void => {
  if (
    sameCurve(before.volumeAutomation, after.volumeAutomation) &&
    sameCurve(before.panAutomation, after.panAutomation)
  )
    return
  out.push({
    type: 'faderAutomation',
    strip,
    id: after.id,
    volume: after.volumeAutomation,
    pan: after.panAutomation,
    volumeDb: after.volumeDb,
    panValue: after.pan,
  })
}

/**
 * The actions that bring a graph built for `previous` (null: nothing built) up to `next`. Bus additions come
 * first (sends need their bus), removals last (after the sends into them are gone).
 */
export const diffGraph = (previous: AudioGraph | null, next: AudioGraph): GraphAction[] => {
  if (previous === next) return []
  const adds: GraphAction[] = []
  const out: GraphAction[] = []
  const removals: GraphAction[] = []
  const EMPTY: GraphStrip = {
    id: '',
    inserts: [],
    volumeDb: 0,
    pan: 0,
    audible: true,
    volumeAutomation: NONE,
    panAutomation: NONE,
    sends: [],
    instrumentAutomation: NO_PARAMS,
  }
  for (const [id, bus] of next.buses) {
    const was = previous?.buses.get(id)
    if (was === undefined) adds.push({ type: 'addBus', busId: id })
    const old = was ?? { ...EMPTY, id }
    diffChain({ kind: 'bus', id }, old.inserts, bus.inserts, out)
    if (
      was === undefined ||
      old.volumeDb !== bus.volumeDb ||
      old.pan !== bus.pan ||
      old.audible !== bus.audible
    )
      out.push({ type: 'busFader', busId: id, volumeDb: bus.volumeDb, pan: bus.pan, audible: bus.audible })
    diffFaderAutomation('bus', old, bus, out)
  }
  for (const id of previous?.buses.keys() ?? [])
    if (!next.buses.has(id)) removals.push({ type: 'removeBus', busId: id })
  for (const [id, track] of next.tracks) {
    const old = previous?.tracks.get(id) ?? { ...EMPTY, id }
    diffChain({ kind: 'track', id }, old.inserts, track.inserts, out)
    diffFaderAutomation('track', old, track, out)
    if (!sameSends(old.sends, track.sends)) out.push({ type: 'sends', trackId: id, sends: track.sends })
    if (old.instrumentAutomation !== track.instrumentAutomation)
      for (const { id: param } of INSTRUMENT_PARAMETERS) {
        const was = old.instrumentAutomation[param]
        const now = track.instrumentAutomation[param]
        if (!sameCurve(was, now))
          out.push({ type: 'instrumentAutomation', trackId: id, param, curve: now ?? NONE })
      }
  }
  diffChain({ kind: 'master' }, previous?.master ?? [], next.master, out)
  return [...adds, ...out, ...removals]
}
