/**
 * The computer keyboard as a piano, the layout most DAWs use: the home row plays white keys from C, the row
 * above the black keys; Z and X shift the octave. Only used while the user has turned "Keys" on, so the
 * letters otherwise stay studio shortcuts.
 */
const LAYOUT: Readonly<Record<string, number>> = {
  a: 0,
  w: 1,
  s: 2,
  e: 3,
  d: 4,
  f: 5,
  t: 6,
  g: 7,
  y: 8,
  h: 9,
  u: 10,
  j: 11,
  k: 12,
  o: 13,
  l: 14,
  p: 15,
  ';': 16,
}

export interface ComputerKeyboard {
  destroy(): void
}

export function attachComputerKeyboard(handlers: {
  noteOn(pitch: number, velocity: number): void
  noteOff(pitch: number): void
  octaveChanged?(octave: number): void
}): ComputerKeyboard {
  let octave = 4
  const held = new Map<string, number>()
  const typing = (t: EventTarget | null) =>
    t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))
  const down = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return
    const key = e.key.toLowerCase()
    if (key === 'z' || key === 'x') {
      octave = Math.max(0, Math.min(8, octave + (key === 'z' ? -1 : 1)))
      handlers.octaveChanged?.(octave)
    } else if (!(key in LAYOUT)) return
    // Claim the key before the command registry sees it (it skips prevented events).
    e.preventDefault()
    if (key === 'z' || key === 'x' || e.repeat || held.has(key)) return
    const pitch = (octave + 1) * 12 + LAYOUT[key]!
    if (pitch > 127) return
    held.set(key, pitch)
    handlers.noteOn(pitch, 100)
  }
  const up = (e: KeyboardEvent) => {
    const key = e.key.toLowerCase()
    const pitch = held.get(key)
    if (pitch === undefined) return
    held.delete(key)
    handlers.noteOff(pitch)
  }
  const blur = () => {
    for (const pitch of held.values()) handlers.noteOff(pitch)
    held.clear()
  }
  window.addEventListener('keydown', down, true)
  window.addEventListener('keyup', up, true)
  window.addEventListener('blur', blur)
  return {
    destroy() {
      blur()
      window.removeEventListener('keydown', down, true)
      window.removeEventListener('keyup', up, true)
      window.removeEventListener('blur', blur)
    },
  }
}
