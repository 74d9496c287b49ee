import type { ViewState } from '../view/view-store'
import type { LaneTarget } from './lane-targets'

/*
 * Which automation lanes this person shows under each track: view state (not song state), as pure updates
 * of the view. A lane is named by its target's lane key.
 */

type Lanes = Pick<ViewState, 'automationLanes'>

const withLanes = (s: Lanes, trackId: string, keys: readonly string[]): Lanes => {
  const next = { ...s.automationLanes }
  if (keys.length === 0) delete next[trackId]
  else next[trackId] = keys
  return { automationLanes: next }
}

/**
 * Shows or hides a track's lanes. Shown first: every lane that has points (so a bandmate's automation is
 * seen), else the volume lane.
 */
export const toggleLanes = (
  s: Lanes,
  trackId: string,
  targets: readonly LaneTarget[],
  automated: ReadonlySet<string>,
): Lanes => {
  if ((s.automationLanes[trackId]?.length ?? 0) > 0) return withLanes(s, trackId, [])
  const withPoints = targets.filter((t) => automated.has(t.key)).map((t) => t.key)
  return withLanes(s, trackId, withPoints.length > 0 ? withPoints : targets.slice(0, 1).map((t) => t.key))
}

/** Points a lane at another target (or shows `to` where `from` was). */
export const showLane = (s: Lanes, trackId: string, from: string, to: string): Lanes => {
  const keys = s.automationLanes[trackId] ?? []
  if (keys.includes(to)) return s
  return withLanes(
    s,
    trackId,
    keys.map((k) => (k === from ? to : k)),
  )
}

/** Adds a lane below, on the first target not shown yet. */
export const addLane = (s: Lanes, trackId: string, targets: readonly LaneTarget[]): Lanes => {
  const keys = s.automationLanes[trackId] ?? []
  const next = targets.find((t) => !keys.includes(t.key))
  return next ? withLanes(s, trackId, [...keys, next.key]) : s
}

export const hideLane = (s: Lanes, trackId: string, key: string): Lanes =>
  withLanes(
    s,
    trackId,
    (s.automationLanes[trackId] ?? []).filter((k) => k !== key),
  )
