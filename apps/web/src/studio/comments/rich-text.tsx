// biome-ignore-all lint/suspicious/noArrayIndexKey: parsed text has no identity but its order, and is re-rendered whole
'use client'

import { ExternalLink } from 'lucide-react'
import type { ReactNode } from 'react'
import { type Inline, parseMarkdown } from '../../discussion/markdown'

/**
 * A comment or chat line, rendered from the Markdown subset as React elements: text is always text (no
 * HTML is ever injected), links open in a new tab marked external, and "at 1:32" jumps the song there.
 */
export function RichText({ text, onTime }: { text: string; onTime: (seconds: number) => void }) {
  return (
    <div className="st-rich">
      {parseMarkdown(text).map((para, p) => (
        <p key={p}>
          {para.map((line, l) => (
            <span key={l}>
              {l > 0 && <br />}
              {inlines(line, onTime)}
            </span>
          ))}
        </p>
      ))}
    </div>
  )
}

function inlines(nodes: readonly Inline[], onTime: (seconds: number) => void): ReactNode[] {
  return nodes.map((node, i) => {
    switch (node.kind) {
      case 'text':
        return node.text
      case 'strong':
        return <strong key={i}>{inlines(node.children, onTime)}</strong>
      case 'em':
        return <em key={i}>{inlines(node.children, onTime)}</em>
      case 'code':
        return <code key={i}>{node.text}</code>
      case 'link':
        return (
          <a
            key={i}
            href={node.href}
            target="_blank"
            rel="noopener noreferrer nofollow external"
            className="st-ext"
          >
            {inlines(node.children, onTime)}
            <ExternalLink size={11} aria-label="(external link)" />
          </a>
        )
      case 'time':
        return (
          <button key={i} type="button" className="st-time-link" onClick={() => onTime(node.seconds)}>
            {node.label}
          </button>
        )
      default:
        return null
    }
  })
}
