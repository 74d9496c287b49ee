'use client'

import { useEffect, useState } from 'react'
import { api, messageOf } from '../../../api/client'

type Offer = Awaited<ReturnType<typeof api.invites.peek.query>>

/** Shows what the link offers, and joins on a click (never on page load: a prefetch must not join). */
export function AcceptInvite({ secret }: { secret: string }) {
  const [offer, setOffer] = useState<Offer | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    api.invites.peek
      .query({ secret })
      .then(setOffer)
      .catch((err: unknown) => setError(messageOf(err)))
  }, [secret])

  const accept = async () => {
    try {
      const { projectId } = await api.invites.accept.mutate({ secret })
      location.assign(`/songs/${projectId}`)
    } catch (err) {
      setError(messageOf(err))
    }
  }

  return (
    <main style={{ maxWidth: 520, margin: '12vh auto', padding: '0 24px' }}>
      <h1>Join a song</h1>
      {error && (
        <p role="alert" style={{ color: 'var(--danger)' }}>
          {error}
        </p>
      )}
      {offer && (
        <>
          <p>
            You are invited to <strong style={{ overflowWrap: 'anywhere' }}>{offer.projectName}</strong> as{' '}
            <strong>{offer.role}</strong>.
          </p>
          {offer.alreadyMember ? (
            <a href={`/songs/${offer.projectId}`}>You are already a member: open the song</a>
          ) : (
            <button type="button" className="primary" onClick={accept}>
              Accept invite
            </button>
          )}
        </>
      )}
      <p>
        <a href="/">← Your songs</a>
      </p>
    </main>
  )
}
