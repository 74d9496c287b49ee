'use client'

import type { Awareness } from 'y-protocols/awareness'
import { z } from 'zod'
import { useAwarenessRead } from '../presence/awareness-read'

/*
 * "Uploading n %" on a clip whose audio is still on its way. The uploader's tab knows its own progress and
 * publishes it in its awareness state (field `uploads`: asset hash → whole percent), so bandmates see the
 * same figure on the same clip; the field is cleared once the server has stored the asset. Awareness is the
 * right channel: it is per connection, goes away with the uploader, and is never stored.
 */

const UploadsSchema = z.record(z.string().regex(/^[0-9a-f]{64}$/), z.number().min(0).max(100))

export interface UploadProgress {
  /** Percent 0..100 for an upload this tab runs. */
  set(hash: string, percent: number): void
  done(hash: string): void
}

const perAwareness = new WeakMap<Awareness, UploadProgress>()

/** The one progress publisher of a song's connection (recordings and imports share it). */
export function uploadProgressFor(awareness: Awareness): UploadProgress {
  let progress = perAwareness.get(awareness)
  if (!progress) {
    progress = createUploadProgress(awareness)
    perAwareness.set(awareness, progress)
  }
  return progress
}

function createUploadProgress(awareness: Awareness): UploadProgress {
  const uploads: Record<string, number> = {}
  const publish = () => awareness.setLocalStateField('uploads', { ...uploads })
  return {
    set(hash, percent) {
      const whole = Math.max(0, Math.min(100, Math.floor(percent)))
      if (uploads[hash] === whole) return
      uploads[hash] = whole
      publish()
    },
    done(hash) {
      delete uploads[hash]
      publish()
    },
  }
}

/** Every upload in progress in any tab of the song (this one included), as hash → percent. */
export function readUploads(awareness: Awareness): ReadonlyMap<string, number> {
  const out = new Map<string, number>()
  for (const state of awareness.getStates().values()) {
    const parsed = UploadsSchema.safeParse((state as { uploads?: unknown }).uploads ?? {})
    if (!parsed.success) continue
    for (const [hash, percent] of Object.entries(parsed.data))
      out.set(hash, Math.min(out.get(hash) ?? 100, percent))
  }
  return out
}

export function useUploads(awareness: Awareness): ReadonlyMap<string, number> {
  return useAwarenessRead(awareness, readUploads)
}
