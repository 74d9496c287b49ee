import type { SongSession } from '../session/song-session'
import type { Transport } from '../transport/transport'
import type { ViewStore } from '../view/view-store'
import type { Clipboard } from './clipboard'
import type { Shortcut } from './shortcut'

/** What a command can reach: the song session, this tab's view, the clipboard and the transport. */
export interface StudioContext {
  readonly session: SongSession
  readonly view: ViewStore
  readonly clipboard: Clipboard
  readonly transport: Transport
}

export type CommandGroup = 'Edit' | 'Notes' | 'Arrange' | 'Transport' | 'View' | 'Tools' | 'AI'

/**
 * A studio action registered once and read by the keyboard handler, the toolbar and the help overlay.
 * `perform` writes to the song only through core operations under `session.me`, so each is one undo step.
 */
export interface Command {
  readonly id: string
  readonly label: string
  readonly group: CommandGroup
  readonly shortcuts: readonly Shortcut[]
  enabled(ctx: StudioContext): boolean
  perform(ctx: StudioContext): void
}

export const defineCommand = (command: Command): Command => command
