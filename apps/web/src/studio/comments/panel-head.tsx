'use client'

import { type LucideIcon, X } from 'lucide-react'
import { IconButton } from '../components/icon-button'
import { useStudio } from '../studio-context'

/** The head of the comments and chat panels: their name, and a button that closes the panel. */
export function DiscussionPanelHead({ icon: Icon, title }: { icon: LucideIcon; title: string }) {
  const studio = useStudio()
  return (
    <header className="st-ai-head">
      <h2>
        <Icon size={15} aria-hidden /> {title}
      </h2>
      <IconButton
        icon={X}
        size={15}
        label={`Close ${title.toLowerCase()}`}
        onClick={() => studio.view.set({ discussion: null })}
      />
    </header>
  )
}
