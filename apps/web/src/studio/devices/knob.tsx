'use client'

import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from 'react'
import {
  dragValue,
  formatValue,
  type NumericSpec,
  parseValue,
  positionOf,
  stepValue,
} from './parameter-scale'

/** A bandmate holding this knob right now. */
export interface KnobHolder {
  readonly name: string
  readonly colour: string
}

export interface KnobProps {
  readonly spec: NumericSpec
  readonly value: number
  /** What screen readers and tests call it ("Cutoff"); the visible label is the same words. */
  readonly label: string
  readonly disabled?: boolean
  /** Called with every new value while dragging, stepping or typing; the caller writes it. */
  readonly onChange: (value: number) => void
  /** A drag began / ended (the caller publishes the grab and makes the drag one undo step). */
  readonly onGrab?: (held: boolean) => void
  /** Who else is dragging it, shown as a ring in their colour with their name. */
  readonly heldBy?: readonly KnobHolder[]
}

/** The arc a knob sweeps: 270°, from 7:30 to 4:30 o'clock. */
const SWEEP = 270
const RADIUS = 16

const arcPoint = (angle: number): [number, number] => {
  const rad = ((angle - 90) * Math.PI) / 180
  return [20 + RADIUS * Math.cos(rad), 20 + RADIUS * Math.sin(rad)]
}

const arcPath = (from: number, to: number): string => {
  const [x1, y1] = arcPoint(from)
  const [x2, y2] = arcPoint(to)
  return `M ${x1} ${y1} A ${RADIUS} ${RADIUS} 0 ${to - from > 180 ? 1 : 0} 1 ${x2} ${y2}`
}

/**
 * One knob for any numeric parameter: drag up and down (Shift for fine), arrow keys (Shift fine, Page keys
 * ten times), the wheel, double-click for the default, and the value typed in its units underneath. The
 * travel follows the parameter's curve (parameter-scale.ts), so a Hz knob sweeps octaves evenly.
 */
export function Knob({ spec, value, label, disabled = false, onChange, onGrab, heldBy = [] }: KnobProps) {
  const dial = useRef<HTMLDivElement>(null)
  const drag = useRef<{ y: number; from: number; fine: boolean; pointer: number } | null>(null)
  const [text, setText] = useState<string | null>(null)
  const cancelled = useRef(false)
  // The handlers below read the latest props through this ref: the wheel listener is attached once.
  const latest = useRef({ spec, value, disabled, onChange })
  latest.current = { spec, value, disabled, onChange }

  const change = (next: number) => {
    if (next !== latest.current.value) latest.current.onChange(next)
  }

  // React's onWheel is passive, so it cannot stop the page scrolling while the knob turns.
  useEffect(() => {
    const el = dial.current!
    const onWheel = (e: WheelEvent) => {
      const { spec, value, disabled } = latest.current
      if (disabled || e.deltaY === 0) return
      e.preventDefault()
      const next = stepValue(spec, value, e.deltaY < 0 ? 1 : -1, e.shiftKey)
      if (next !== value) latest.current.onChange(next)
    }
    el.addEventListener('wheel', onWheel, { passive: false })
    return () => el.removeEventListener('wheel', onWheel)
  }, [])

  const endDrag = () => {
    if (drag.current === null) return
    drag.current = null
    onGrab?.(false)
  }
  // A knob unmounted mid-drag (its device removed by a bandmate) lets go.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on unmount only
  useEffect(() => () => endDrag(), [])

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (disabled || e.button !== 0) return
    e.preventDefault()
    e.currentTarget.focus()
    e.currentTarget.setPointerCapture(e.pointerId)
    drag.current = { y: e.clientY, from: value, fine: e.shiftKey, pointer: e.pointerId }
    onGrab?.(true)
  }
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current
    if (d === null || d.pointer !== e.pointerId) return
    // Pressing or releasing Shift mid-drag starts a new leg from here, so the value never jumps.
    if (e.shiftKey !== d.fine)
      drag.current = { ...d, y: e.clientY, from: latest.current.value, fine: e.shiftKey }
    const leg = drag.current!
    change(dragValue(spec, leg.from, leg.y - e.clientY, leg.fine))
  }
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (disabled) return
    const steps: Record<string, number> = {
      ArrowUp: 1,
      ArrowRight: 1,
      ArrowDown: -1,
      ArrowLeft: -1,
      PageUp: 10,
      PageDown: -10,
    }
    let next: number | null = null
    if (e.key in steps) next = stepValue(spec, value, steps[e.key]!, e.shiftKey)
    else if (e.key === 'Home') next = spec.min
    else if (e.key === 'End') next = spec.max
    else if (e.key === 'Delete' || e.key === 'Backspace') next = spec.default
    if (next === null) return
    e.preventDefault()
    // The studio's own shortcuts (undo, transport) must not also see a key that turned the knob.
    e.stopPropagation()
    change(next)
  }

  const commitText = () => {
    const typed = text
    setText(null)
    if (typed === null || cancelled.current) {
      cancelled.current = false
      return
    }
    const parsed = parseValue(spec, typed)
    if (parsed !== null) change(parsed)
  }

  const position = positionOf(spec, value)
  const start = -SWEEP / 2
  const angle = start + position * SWEEP
  const shown = formatValue(spec, value)
  const holder = heldBy[0]
  const [px, py] = arcPoint(angle)
  return (
    <div
      className={`st-knob${holder ? ' is-held' : ''}`}
      style={holder ? { ['--holder' as string]: holder.colour } : undefined}
      data-testid="knob"
      data-param={spec.id}
      data-value={value}
    >
      <span className="st-knob-label">{label}</span>
      <div
        ref={dial}
        className="st-knob-dial"
        role="slider"
        tabIndex={disabled ? -1 : 0}
        aria-label={label}
        aria-valuemin={spec.min}
        aria-valuemax={spec.max}
        aria-valuenow={value}
        aria-valuetext={shown}
        aria-disabled={disabled}
        title={`${label}: ${shown}. Drag (Shift for fine), arrows or wheel; double-click for ${formatValue(spec, spec.default)}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onLostPointerCapture={endDrag}
        onDoubleClick={() => !disabled && change(spec.default)}
        onKeyDown={onKeyDown}
      >
        <svg viewBox="0 0 40 40" width="40" height="40" aria-hidden>
          <path className="st-knob-track" d={arcPath(start, start + SWEEP)} />
          {position > 0.001 && <path className="st-knob-fill" d={arcPath(start, angle)} />}
          <line className="st-knob-pointer" x1={20} y1={20} x2={px} y2={py} />
        </svg>
      </div>
      <input
        className="st-knob-value"
        aria-label={`${label} value`}
        value={text ?? shown}
        readOnly={disabled}
        onFocus={(e) => {
          if (disabled) return
          setText(shown)
          e.currentTarget.select()
        }}
        onChange={(e) => setText(e.target.value)}
        onBlur={commitText}
        onKeyDown={(e) => {
          e.stopPropagation()
          if (e.key === 'Enter') e.currentTarget.blur()
          if (e.key === 'Escape') {
            cancelled.current = true
            e.currentTarget.blur()
          }
        }}
      />
      {holder && (
        <span className="st-knob-holder" data-testid="knob-holder">
          {heldBy.map((h) => h.name).join(', ')}
        </span>
      )}
    </div>
  )
}
