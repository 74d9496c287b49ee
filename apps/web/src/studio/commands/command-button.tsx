'use client'

import type { LucideIcon } from 'lucide-react'
import { useStudio } from '../studio-context'
import { runCommand } from './command-keys'
import { formatShortcut } from './shortcut'
import { commandById } from './studio-commands'

/**
 * A button that runs a registered command. Its title is the command's label and shortcut (what the help
 * overlay lists), which also names an icon-only button; no aria-label, so finding a form field by its
 * label never meets a toolbar button.
 */
export function CommandButton({
  id,
  icon: Icon,
  children,
  pressed,
}: {
  id: string
  icon?: LucideIcon
  children?: React.ReactNode
  pressed?: boolean
}) {
  const studio = useStudio()
  const command = commandById(id)
  const keys = command.shortcuts.map(formatShortcut).join(', ')
  return (
    <button
      type="button"
      data-command={id}
      aria-pressed={pressed}
      className={
        `${Icon && children === undefined ? 'st-icon-button' : ''}${pressed ? ' is-on' : ''}`.trim() ||
        undefined
      }
      title={keys ? `${command.label} (${keys})` : command.label}
      onClick={() => runCommand(command, studio, studio.report)}
    >
      {Icon && <Icon size={15} aria-hidden />}
      {children}
    </button>
  )
}
