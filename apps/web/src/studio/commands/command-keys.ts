'use client'

import { useEffect } from 'react'
import type { Command, StudioContext } from './command'
import { matches } from './shortcut'

const isTyping = (target: EventTarget | null): boolean => {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  if (target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true
  if (target.tagName !== 'INPUT') return false
  const type = (target as HTMLInputElement).type
  // Sliders and checkboxes keep the studio's shortcuts; text fields own their keys.
  return type !== 'range' && type !== 'checkbox' && type !== 'button'
}

/** Runs the first registered command whose shortcut matches, unless the user is typing into a field. */
export function useCommandKeys(
  commands: readonly Command[],
  ctx: StudioContext,
  onError: (err: unknown) => void,
): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTyping(e.target)) return
      const command = commands.find((c) => c.shortcuts.some((s) => matches(s, e)))
      if (!command) return
      e.preventDefault()
      if (!command.enabled(ctx)) return
      try {
        command.perform(ctx)
      } catch (err) {
        onError(err)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [commands, ctx, onError])
}

/** Runs a command from a button, with the same enabled check and error reporting as the keyboard. */
export function runCommand(command: Command, ctx: StudioContext, onError: (err: unknown) => void): void {
  if (!command.enabled(ctx)) return
  try {
    command.perform(ctx)
  } catch (err) {
    onError(err)
  }
}
