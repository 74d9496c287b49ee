'use client'

import { applyChainPreset, FACTORY_PRESETS, readMixer, saveChainPreset } from '@ensemble/core'
import { useState } from 'react'
import type * as Y from 'yjs'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'

const readPresets = (doc: Y.Doc) => readMixer(doc).presets

const KIND_NAMES = {
  instrument: 'Factory: instruments',
  drums: 'Factory: drums',
  audio: 'Factory: audio',
} as const

/**
 * Apply a project or factory chain preset to this chain (replacing its devices, one undo step), or save the
 * chain as a project preset that the whole band then sees.
 */
export function ChainPresets({ owner, empty }: { owner: string; empty: boolean }) {
  const studio = useStudio()
  const { doc, me } = studio.session
  const presets = useSong(doc, readPresets)
  const [name, setName] = useState<string | null>(null)
  const save = () => {
    const trimmed = name?.trim() ?? ''
    setName(null)
    if (trimmed) studio.run(() => saveChainPreset(doc, me, owner, trimmed))
  }
  return (
    <div className="st-device-presets">
      <select
        aria-label="Apply preset"
        data-testid="apply-preset"
        value=""
        onChange={(e) => {
          const id = e.target.value
          if (id) studio.run(() => applyChainPreset(doc, me, owner, id))
        }}
      >
        <option value="" disabled>
          Apply preset…
        </option>
        {presets.length > 0 && (
          <optgroup label="This project">
            {presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </optgroup>
        )}
        {(['instrument', 'drums', 'audio'] as const).map((kind) => (
          <optgroup key={kind} label={KIND_NAMES[kind]}>
            {FACTORY_PRESETS.filter((p) => p.trackKind === kind).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {name === null ? (
        <button type="button" className="button" disabled={empty} onClick={() => setName('')}>
          Save as preset
        </button>
      ) : (
        <form
          className="st-row"
          onSubmit={(e) => {
            e.preventDefault()
            save()
          }}
        >
          <input
            aria-label="Preset name"
            value={name}
            maxLength={200}
            // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to name the preset
            autoFocus
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              e.stopPropagation()
              if (e.key === 'Escape') setName(null)
            }}
          />
          <button type="submit" className="button">
            Save
          </button>
        </form>
      )}
    </div>
  )
}
