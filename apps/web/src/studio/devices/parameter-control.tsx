'use client'

import type { ParameterSpec, ParameterValue } from '@ensemble/core/plugin'
import { ChoiceSelect } from '../components/choice-select'
import { Knob, type KnobHolder } from './knob'
import { isNumeric } from './parameter-scale'

/**
 * The control a parameter's declaration calls for: a knob for anything continuous, a select for a choice
 * (filter type, delay time), a toggle for a switch. Drawn from the declaration alone, so a new effect in the
 * catalogue gets its controls without a line here.
 */
export function ParameterControl(props: {
  readonly spec: ParameterSpec
  readonly value: ParameterValue
  readonly disabled: boolean
  readonly onChange: (value: ParameterValue) => void
  readonly onGrab: (held: boolean) => void
  readonly heldBy: readonly KnobHolder[]
}) {
  const { spec, value, disabled, onChange } = props
  if (isNumeric(spec))
    return (
      <Knob
        spec={spec}
        value={typeof value === 'number' ? value : spec.default}
        label={spec.label}
        disabled={disabled}
        onChange={onChange}
        onGrab={props.onGrab}
        heldBy={props.heldBy}
      />
    )
  if (spec.type === 'choice')
    return (
      <div className="st-device-choice" data-param={spec.id}>
        <span className="st-knob-label">{spec.label}</span>
        <ChoiceSelect
          spec={spec}
          label={spec.label}
          value={typeof value === 'string' ? value : spec.default}
          disabled={disabled}
          onChange={onChange}
        />
      </div>
    )
  const on = typeof value === 'boolean' ? value : spec.default
  return (
    <button
      type="button"
      className={`st-toggle${on ? ' on' : ''}`}
      aria-pressed={on}
      disabled={disabled}
      data-param={spec.id}
      onClick={() => onChange(!on)}
    >
      {spec.label}
    </button>
  )
}
