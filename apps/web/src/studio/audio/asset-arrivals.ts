'use client'

import { useEffect, useSyncExternalStore } from 'react'
import { assetPath } from '../../wire/assets'
import type { StoredPart } from '../../wire/collab'

/*
 * When a bandmate's asset gets here. The server tells every connection of the song the moment an asset's
 * peaks or audio are stored (message type 102, `connection.assets`); whoever waits for them (a waveform
 * for the peaks, the engine and the clip's "stored" state for the audio) asks the server then, not on a
 * timer. A notice sent while this tab was offline is lost, so every resync wakes all waiters once, and a
 * slow fallback (`FALLBACK_MS`) covers anything else. Module-level like the peaks cache: hashes name
 * immutable bytes, the same on every page of this tab.
 */

/** Asked again this long after the last try, even without a notice (a lost one). */
export const FALLBACK_MS = 30_000

const wakers = new Map<string, Set<() => void>>()
const key = (part: StoredPart, hash: string) => `${part}:${hash}`

/** Resolves on a notice for this part of this hash, on a resync, or after `FALLBACK_MS`. */
export function nextChance(part: StoredPart, hash: string): Promise<void> {
  return new Promise((resolve) => {
    const k = key(part, hash)
    const set = wakers.get(k) ?? new Set()
    wakers.set(k, set)
    const wake = () => {
      clearTimeout(timer)
      set.delete(wake)
      if (set.size === 0 && wakers.get(k) === set) wakers.delete(k)
      resolve()
    }
    const timer = setTimeout(wake, FALLBACK_MS)
    set.add(wake)
  })
}

const stored = new Set<string>()
const checking = new Set<string>()
const storedListeners = new Set<(hash: string) => void>()
const viewListeners = new Set<() => void>()

function markStored(hash: string): void {
  if (stored.has(hash)) return
  stored.add(hash)
  for (const l of [...storedListeners]) l(hash)
  for (const l of [...viewListeners]) l()
}

/** The server said this part of this asset is stored for the song. */
export function announce(part: StoredPart, hash: string): void {
  if (part === 'audio') markStored(hash)
  for (const wake of [...(wakers.get(key(part, hash)) ?? [])]) wake()
}

/** The connection synced again: notices may have been missed, so everyone waiting asks once more. */
export function resync(): void {
  for (const set of [...wakers.values()]) for (const wake of [...set]) wake()
}

/** Told each hash whose audio is found stored (a notice, or a check after a resync); returns the unsubscribe. */
export function onAudioStored(listener: (hash: string) => void): () => void {
  storedListeners.add(listener)
  return () => storedListeners.delete(listener)
}

/** Asks the server (HEAD) whether the song holds the audio, and again at each chance until it does. */
async function checkStored(projectId: string, hash: string, wanted: () => boolean): Promise<void> {
  if (stored.has(hash) || checking.has(hash)) return
  checking.add(hash)
  try {
    while (wanted() && !stored.has(hash)) {
      try {
        const res = await fetch(assetPath(projectId, hash), { method: 'HEAD', credentials: 'same-origin' })
        if (res.ok) markStored(hash)
        // 404: still uploading, or refused; the clip says it waits.
      } catch {
        // Offline: the resync after reconnecting asks again.
      }
      if (!stored.has(hash)) await nextChance('audio', hash)
    }
  } finally {
    checking.delete(hash)
  }
}

const wantedStored = new Map<string, number>()
const subscribe = (listener: () => void) => {
  viewListeners.add(listener)
  return () => viewListeners.delete(listener)
}

/** Whether the server holds the asset's audio (a clip can be played by everyone); checked while mounted. */
export function useAudioStored(projectId: string, hash: string): boolean {
  const value = useSyncExternalStore(
    subscribe,
    () => stored.has(hash),
    () => false,
  )
  useEffect(() => {
    if (stored.has(hash)) return
    wantedStored.set(hash, (wantedStored.get(hash) ?? 0) + 1)
    void checkStored(projectId, hash, () => (wantedStored.get(hash) ?? 0) > 0)
    return () => {
      const left = (wantedStored.get(hash) ?? 1) - 1
      if (left > 0) wantedStored.set(hash, left)
      else wantedStored.delete(hash)
    }
  }, [projectId, hash])
  return value
}
