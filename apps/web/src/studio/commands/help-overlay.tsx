'use client'

import type { Command, CommandGroup } from './command'
import { formatShortcut } from './shortcut'
import './help-overlay.css'

const GROUPS: readonly CommandGroup[] = ['Transport', 'Edit', 'Notes', 'Arrange', 'Tools', 'View', 'AI']

/** Lists every registered command with its shortcuts: the same list the key handler runs. */
export function HelpOverlay({ commands, onClose }: { commands: readonly Command[]; onClose: () => void }) {
  return (
    // Escape and ? close it through the command registry, like every other key.
    <div className="st-overlay">
      <div role="dialog" aria-label="Keyboard shortcuts" data-testid="help-overlay" className="st-help">
        <header>
          <h2>Keyboard shortcuts</h2>
          <button type="button" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="st-help-grid">
          {GROUPS.map((group) => (
            <section key={group}>
              <h3>{group}</h3>
              <dl>
                {commands
                  .filter((c) => c.group === group && c.shortcuts.length > 0)
                  .map((c) => (
                    <div key={c.id}>
                      <dt>{c.label}</dt>
                      <dd>
                        {c.shortcuts.map((s) => (
                          <kbd key={formatShortcut(s)}>{formatShortcut(s)}</kbd>
                        ))}
                      </dd>
                    </div>
                  ))}
              </dl>
            </section>
          ))}
        </div>
        <p className="st-muted">
          Piano roll: drag on empty space to draw (Draw) or box-select (Select); Shift-click adds to the
          selection; drag a note's right edge to resize; Alt-drag copies. Arrangement: double-click or drag on
          an empty lane to make a clip. AI: suggestions show as ghost notes in the asker’s colour; ✦ marks
          notes a plugin wrote (select one to see its provenance).
        </p>
      </div>
    </div>
  )
}
