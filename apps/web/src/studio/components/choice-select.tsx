'use client'

import type { ParameterSpec } from '@ensemble/core/plugin'

type ChoiceSpec = Extract<ParameterSpec, { type: 'choice' }>

/** The select for a declared choice parameter (a plugin's setting, an effect's filter type), its options labelled. */
export function ChoiceSelect(props: {
  readonly spec: ChoiceSpec
  readonly value: string
  readonly disabled: boolean
  readonly onChange: (value: string) => void
  readonly label?: string
}) {
  const { spec } = props
  return (
    <select
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.target.value)}
    >
      {spec.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  )
}
