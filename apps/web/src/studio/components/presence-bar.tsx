'use client'

import type { Collaborator } from '../session/hooks'
import './presence-bar.css'

/**
 * Everyone in the song, in their colour. Clicking someone else follows their view (again to stop).
 */
export function PresenceBar(props: {
  people: readonly Collaborator[]
  myClientId: number
  following: number | null
  onFollow: (clientId: number | null) => void
}) {
  const { people, myClientId, following } = props
  return (
    <ul aria-label="People in this song" data-testid="presence" className="st-presence">
      {people.map((p) => {
        const me = p.clientId === myClientId
        const followed = following === p.clientId
        return (
          <li key={p.clientId} style={{ ['--who' as string]: p.colour }}>
            <button
              type="button"
              className={`st-avatar${me ? ' is-me' : ''}${followed ? ' is-followed' : ''}`}
              title={
                me
                  ? `${p.name} (you)`
                  : followed
                    ? `Following ${p.name}: click to stop`
                    : `Follow ${p.name}'s view`
              }
              data-testid={me ? 'avatar-me' : 'avatar'}
              disabled={me}
              onClick={() => props.onFollow(followed ? null : p.clientId)}
            >
              {p.name
                .replace(/^guest-/, '')
                .slice(0, 2)
                .toUpperCase()}
            </button>
          </li>
        )
      })}
    </ul>
  )
}
