'use client'

import { EFFECT_DESCRIPTORS, type EffectKind } from '@ensemble/core'

/** The catalogue grouped the way a musician looks for an effect, not in declaration order. */
const GROUPS: readonly { readonly name: string; readonly kinds: readonly EffectKind[] }[] = [
  { name: 'EQ and filter', kinds: ['eq3', 'parametricEq', 'filter'] },
  { name: 'Dynamics', kinds: ['compressor', 'gate', 'limiter'] },
  { name: 'Space', kinds: ['reverb', 'delay'] },
  { name: 'Modulation', kinds: ['chorus', 'phaser'] },
  { name: 'Colour and image', kinds: ['distortion', 'width'] },
]

const labelOf = (kind: EffectKind): string => EFFECT_DESCRIPTORS.find((d) => d.kind === kind)?.label ?? kind

/** "Add effect…": picking one adds it at the end of the chain and puts the menu back to its prompt. */
export function AddDevice({ disabled, onAdd }: { disabled: boolean; onAdd: (kind: EffectKind) => void }) {
  return (
    <select
      aria-label="Add effect"
      className="st-device-add"
      data-testid="add-effect"
      value=""
      disabled={disabled}
      onChange={(e) => {
        const kind = EFFECT_DESCRIPTORS.find((d) => d.kind === e.target.value)?.kind
        if (kind) onAdd(kind)
      }}
    >
      <option value="" disabled>
        Add effect…
      </option>
      {GROUPS.map((g) => (
        <optgroup key={g.name} label={g.name}>
          {g.kinds.map((kind) => (
            <option key={kind} value={kind}>
              {labelOf(kind)}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  )
}
