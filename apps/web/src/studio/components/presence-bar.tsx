'use client'

import type { Collaborator } from '../session/hooks'

export function PresenceBar({ people, myClientId }: { people: readonly Collaborator[]; myClientId: number }) {
  return (
    <ul
      aria-label="People in this song"
      data-testid="presence"
      style={{ display: 'flex', gap: 6, margin: 0, padding: 0 }}
    >
      {people.map((p) => (
        <li
          key={p.clientId}
          title={p.clientId === myClientId ? `${p.name} (you)` : p.name}
          style={{
            listStyle: 'none',
            width: 28,
            height: 28,
            borderRadius: '50%',
            background: p.colour,
            color: '#0b0d10',
            display: 'grid',
            placeItems: 'center',
            fontSize: 12,
            fontWeight: 700,
            outline: p.clientId === myClientId ? '2px solid var(--text)' : 'none',
          }}
        >
          {p.name
            .replace(/^guest-/, '')
            .slice(0, 2)
            .toUpperCase()}
        </li>
      ))}
    </ul>
  )
}
