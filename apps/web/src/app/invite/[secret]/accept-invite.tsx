'use client'

import { House, UserPlus } from 'lucide-react'
import { useEffect, useState } from 'react'
import { Logo } from '../../../brand/logo'
import { api, messageOf } from '../../../client/api/client'

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
    <main className="page narrow">
      <Logo />
      <section className="card notice">
        <UserPlus size={28} aria-hidden className="notice-icon" />
        <h1>Join a song</h1>
        {error && (
          <p role="alert" className="error">
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
              <a href={`/songs/${offer.projectId}`} className="button primary">
                You are already a member: open the song
              </a>
            ) : (
              <button type="button" className="primary" onClick={accept}>
                Accept invite
              </button>
            )}
          </>
        )}
        <a href="/">
          <House size={14} aria-hidden /> Your songs
        </a>
      </section>
    </main>
  )
}
