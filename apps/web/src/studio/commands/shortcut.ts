/**
 * A keyboard shortcut as data, so the key handler, the toolbar tooltips and the help overlay all read the
 * same definition. `mod` is Ctrl on Linux and Windows and Cmd on macOS.
 */
export interface Shortcut {
  /** `KeyboardEvent.key`, lower-cased for letters: 'z', 'Delete', 'ArrowLeft', ' ', '?'. */
  readonly key: string
  readonly mod?: boolean
  readonly shift?: boolean
  readonly alt?: boolean
}

const isMac = (): boolean => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)

export function matches(shortcut: Shortcut, e: KeyboardEvent): boolean {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key
  if (key !== shortcut.key) return false
  if ((e.ctrlKey || e.metaKey) !== (shortcut.mod ?? false)) return false
  if (e.altKey !== (shortcut.alt ?? false)) return false
  // Shifted symbols ('?') carry the shift in the key itself, so shift only counts for letters and named keys.
  const symbol = shortcut.key.length === 1 && !/[a-z0-9 ]/.test(shortcut.key)
  return symbol || e.shiftKey === (shortcut.shift ?? false)
}

const KEY_LABEL: Record<string, string> = {
  ' ': 'Space',
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  Delete: 'Del',
  Backspace: '⌫',
  Escape: 'Esc',
}

export function formatShortcut(s: Shortcut): string {
  const parts: string[] = []
  if (s.mod) parts.push(isMac() ? '⌘' : 'Ctrl')
  if (s.shift) parts.push('Shift')
  if (s.alt) parts.push(isMac() ? '⌥' : 'Alt')
  parts.push(KEY_LABEL[s.key] ?? s.key.toUpperCase())
  return parts.join('+')
}
