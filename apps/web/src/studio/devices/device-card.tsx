'use client'

import {
  type DeviceSnapshot,
  effectDescriptor,
  moveDevice,
  removeDevice,
  setDeviceBypass,
  setDeviceParams,
} from '@ensemble/core'
import { GripVertical, Power, X } from 'lucide-react'
import { useRef } from 'react'
import { IconButton } from '../components/icon-button'
import { useStudio } from '../studio-context'
import type { KnobHolder } from './knob'
import { publishGrab, type RemoteGrab } from './knob-presence'
import { ParameterControl } from './parameter-control'
import { ReductionReadout } from './reduction-readout'

export const DEVICE_DRAG_TYPE = 'application/x-ensemble-device'

/**
 * One effect in a chain: its name, a grip to reorder it (drag, or the arrow keys on the grip), bypass,
 * remove, and a control per parameter. A knob drag writes on every move, so bandmates hear it at once; it is
 * one undo step (the session's undo gesture) and publishes the grab so they see who holds the knob.
 */
export function DeviceCard(props: {
  readonly device: DeviceSnapshot
  readonly index: number
  readonly count: number
  readonly readOnly: boolean
  readonly grabs: readonly RemoteGrab[]
}) {
  const { device, index, count, readOnly } = props
  const studio = useStudio()
  const { doc, me, undo } = studio.session
  const descriptor = effectDescriptor(device.kind)
  const endGesture = useRef<(() => void) | null>(null)
  const awareness = studio.session.connection.provider.awareness

  const grab = (param: string, held: boolean) => {
    endGesture.current?.()
    endGesture.current = held ? undo.gesture() : null
    publishGrab(awareness, held ? { device: device.id, param } : null)
  }
  const move = (to: number) => {
    if (to >= 0 && to < count && to !== index) studio.run(() => moveDevice(doc, me, device.id, to))
  }
  const holders = (param: string): KnobHolder[] =>
    props.grabs.filter((g) => g.device === device.id && g.param === param)

  return (
    // The card is a drop target for reordering; the grip is the keyboard way.
    <section
      className={`st-device${device.bypass ? ' is-bypassed' : ''}`}
      data-testid="device"
      data-kind={device.kind}
      data-device-id={device.id}
      aria-label={descriptor.label}
      onDragOver={(e) => {
        if (!readOnly && e.dataTransfer.types.includes(DEVICE_DRAG_TYPE)) e.preventDefault()
      }}
      onDrop={(e) => {
        const id = e.dataTransfer.getData(DEVICE_DRAG_TYPE)
        if (id && id !== device.id) studio.run(() => moveDevice(doc, me, id, index))
      }}
    >
      <header className="st-device-head">
        {!readOnly && (
          <button
            type="button"
            className="st-device-grip"
            aria-label={`Move ${descriptor.label}`}
            title="Drag to reorder, or use the arrow keys"
            draggable
            onDragStart={(e) => {
              e.dataTransfer.setData(DEVICE_DRAG_TYPE, device.id)
              e.dataTransfer.effectAllowed = 'move'
            }}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return
              e.preventDefault()
              e.stopPropagation()
              move(index + (e.key === 'ArrowUp' ? -1 : 1))
            }}
          >
            <GripVertical size={14} aria-hidden />
          </button>
        )}
        <h3 className="st-device-name">{descriptor.label}</h3>
        <button
          type="button"
          className={`st-icon-button st-device-power${device.bypass ? '' : ' is-live'}`}
          aria-label={`Bypass ${descriptor.label}`}
          aria-pressed={device.bypass}
          title={device.bypass ? 'Bypassed: click to switch it back on' : 'On: click to bypass'}
          disabled={readOnly}
          onClick={() => studio.run(() => setDeviceBypass(doc, me, device.id, !device.bypass))}
        >
          <Power size={14} aria-hidden />
        </button>
        {!readOnly && (
          <IconButton
            icon={X}
            size={14}
            label={`Remove ${descriptor.label}`}
            title="Remove from the chain"
            onClick={() => studio.run(() => removeDevice(doc, me, device.id))}
          />
        )}
      </header>
      <div className="st-device-params">
        {descriptor.parameters.map((spec) => (
          <ParameterControl
            key={spec.id}
            spec={spec}
            value={device.params[spec.id] ?? spec.default}
            disabled={readOnly}
            onChange={(value) => studio.run(() => setDeviceParams(doc, me, device.id, { [spec.id]: value }))}
            onGrab={(held) => grab(spec.id, held)}
            heldBy={holders(spec.id)}
          />
        ))}
        {device.kind === 'compressor' && <ReductionReadout deviceId={device.id} />}
      </div>
    </section>
  )
}
