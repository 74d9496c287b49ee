import { House } from 'lucide-react'
import type { ReactNode } from 'react'

/** A notice on a page the visitor cannot go on from: it always offers the way home. */
export function DeadEndNotice({ children }: { children: ReactNode }) {
  return (
    <section className="card notice">
      {children}
      <a href="/" className="button primary">
        <House size={16} aria-hidden /> Back to your songs
      </a>
    </section>
  )
}
