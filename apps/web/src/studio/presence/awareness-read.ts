'use client'

import { useMemo, useSyncExternalStore } from 'react'
import type { Awareness } from 'y-protocols/awareness'

/**
 * Reads something out of awareness for React: `read` runs again only after awareness changed, and the
 * value keeps its identity in between, so a component re-renders only when presence moved.
 */
export function useAwarenessRead<T>(awareness: Awareness, read: (awareness: Awareness) => T): T {
  const store = useMemo(() => {
    let last: T = read(awareness)
    let dirty = false
    return {
      subscribe(listener: () => void) {
        const on = () => {
          dirty = true
          listener()
        }
        awareness.on('change', on)
        return () => awareness.off('change', on)
      },
      get() {
        if (dirty) {
          last = read(awareness)
          dirty = false
        }
        return last
      },
    }
  }, [awareness, read])
  return useSyncExternalStore(store.subscribe, store.get, store.get)
}
