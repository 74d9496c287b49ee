/**
 * MIDI keyboards through the Web MIDI API: note on/off from every connected input, hot-plugged ones too.
 * Chromium asks the user for permission; where the API is missing or refused, `devices` stays empty and
 * the computer keyboard remains.
 */
export interface MidiInputHandle {
  devices(): readonly string[]
  destroy(): void
}

export async function attachWebMidi(handlers: {
  noteOn(pitch: number, velocity: number): void
  noteOff(pitch: number): void
  devicesChanged(names: readonly string[]): void
}): Promise<MidiInputHandle | null> {
  if (typeof navigator === 'undefined' || typeof navigator.requestMIDIAccess !== 'function') return null
  let access: MIDIAccess
  try {
    access = await navigator.requestMIDIAccess()
  } catch {
    return null
  }
  const onMessage = (e: MIDIMessageEvent) => {
    const data = e.data
    if (!data || data.length < 3) return
    const status = data[0]! & 0xf0
    const pitch = data[1]!
    const velocity = data[2]!
    if (status === 0x90 && velocity > 0) handlers.noteOn(pitch, velocity)
    else if (status === 0x80 || (status === 0x90 && velocity === 0)) handlers.noteOff(pitch)
  }
  const names = () => [...access.inputs.values()].map((i) => i.name ?? 'MIDI input')
  const wire = () => {
    for (const input of access.inputs.values()) input.onmidimessage = onMessage
    handlers.devicesChanged(names())
  }
  access.onstatechange = wire
  wire()
  return {
    devices: names,
    destroy() {
      access.onstatechange = null
      for (const input of access.inputs.values()) input.onmidimessage = null
    },
  }
}
