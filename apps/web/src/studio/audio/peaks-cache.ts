'use client'

import { decodePeaks, type Peaks } from '@ensemble/core/audio'
import { useEffect, useSyncExternalStore } from 'react'
import { peaksPath } from '../../wire/assets'
import { nextChance } from './asset-arrivals'

/*
 * Peaks by asset hash, for this page. The recorder and the importer put theirs in at once (the waveform
 * shows before any upload); for a bandmate's clip the peaks are fetched from the server, which has them
 * before the audio (they travel first). Not stored yet (404): tried again, while a waveform needs them,
 * when the server announces them (`asset-arrivals.ts`), after a reconnect, or after a slow fallback.
 * Assets are immutable, so a hash's peaks never change once here.
 */

const peaks = new Map<string, Peaks>()
const loading = new Set<string>()
/** How many mounted waveforms want each hash: the fetch loop runs while any does. */
const wanted = new Map<string, number>()
const listeners = new Set<() => void>()
const emit = () => {
  for (const l of [...listeners]) l()
}

export function putPeaks(hash: string, value: Peaks): void {
  peaks.set(hash, value)
  emit()
}

async function fetchPeaks(projectId: string, hash: string): Promise<void> {
  const isWanted = () => (wanted.get(hash) ?? 0) > 0
  if (peaks.has(hash) || loading.has(hash)) return
  loading.add(hash)
  try {
    while (isWanted() && !peaks.has(hash)) {
      try {
        const res = await fetch(peaksPath(projectId, hash), { credentials: 'same-origin' })
        if (res.ok) {
          putPeaks(hash, decodePeaks(new Uint8Array(await res.arrayBuffer())))
          return
        }
        // 404: not uploaded yet; anything else: try again later too, the clip shows it is waiting.
      } catch {
        // Offline: the next try may find the network back.
      }
      await nextChance('peaks', hash)
    }
  } finally {
    loading.delete(hash)
  }
}

const subscribe = (listener: () => void) => {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** The peaks of an asset, fetched while a component wants them; null until they are here. */
export function usePeaks(projectId: string, hash: string): Peaks | null {
  const value = useSyncExternalStore(
    subscribe,
    () => peaks.get(hash) ?? null,
    () => null,
  )
  useEffect(() => {
    if (peaks.has(hash)) return
    wanted.set(hash, (wanted.get(hash) ?? 0) + 1)
    void fetchPeaks(projectId, hash)
    return () => {
      const left = (wanted.get(hash) ?? 1) - 1
      if (left > 0) wanted.set(hash, left)
      else wanted.delete(hash)
    }
  }, [projectId, hash])
  return value
}
