import { SearchX } from 'lucide-react'
import { DeadEndNotice } from '../brand/dead-end-notice'
import { Logo } from '../brand/logo'

/**
 * Status 404: an unknown address, or a song the visitor is not a member of (the same answer, so song
 * ids cannot be probed). Always with a way home.
 */
export default function NotFound() {
  return (
    <main className="page narrow" data-testid="not-found">
      <Logo />
      <DeadEndNotice>
        <SearchX size={32} aria-hidden className="notice-icon" />
        <h1>Nothing here</h1>
        <p className="muted">
          This page does not exist, or it is a song you are not a member of. Ask the song’s owner for an
          invite link.
        </p>
      </DeadEndNotice>
    </main>
  )
}
