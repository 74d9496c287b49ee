'use client'

import type { ParameterSpec, ParameterValue } from '@ensemble/core/plugin'
import { ChoiceSelect } from '../components/choice-select'
import { shownValue } from './parameter-value'

/**
 * The controls a plugin's manifest declares: sliders with their units for float and int, a toggle for
 * bool, a select for choice. Values stay as typed as the declarations; the server checks them again.
 */
export function PluginParameters(props: {
  specs: readonly ParameterSpec[]
  values: Readonly<Record<string, ParameterValue>>
  disabled: boolean
  onChange: (id: string, value: ParameterValue) => void
}) {
  const { specs, values, disabled, onChange } = props
  if (specs.length === 0) return <p className="st-muted st-small">This plugin has no settings.</p>
  return (
    <div className="st-ai-params">
      {specs.map((spec) => {
        const value = values[spec.id] ?? spec.default
        const hint = spec.description
        if (spec.type === 'bool')
          return (
            <label key={spec.id} className="st-ai-param is-bool" title={hint}>
              <input
                type="checkbox"
                checked={value === true}
                disabled={disabled}
                onChange={(e) => onChange(spec.id, e.target.checked)}
              />{' '}
              {spec.label}
            </label>
          )
        if (spec.type === 'choice')
          return (
            <div key={spec.id} className="st-ai-param" title={hint}>
              <span>{spec.label}</span>
              <ChoiceSelect
                spec={spec}
                label={spec.label}
                value={String(value)}
                disabled={disabled}
                onChange={(v) => onChange(spec.id, v)}
              />
            </div>
          )
        const step = spec.step ?? (spec.type === 'int' ? 1 : (spec.max - spec.min) / 100)
        const n = typeof value === 'number' ? value : spec.default
        const shown = shownValue(spec, n)
        return (
          <label key={spec.id} className="st-ai-param" title={hint}>
            <span>
              {spec.label} <span className="st-muted">{shown}</span>
            </span>
            <input
              type="range"
              aria-label={spec.label}
              aria-valuetext={shown}
              min={spec.min}
              max={spec.max}
              step={step}
              value={n}
              disabled={disabled}
              onChange={(e) => {
                const next = Number(e.target.value)
                onChange(spec.id, spec.type === 'int' ? Math.round(next) : next)
              }}
            />
          </label>
        )
      })}
    </div>
  )
}
