'use client'

import { Check, Copy } from 'lucide-react'
import { useRef, useState } from 'react'

/**
 * An invite link to hand on: the link itself, selectable, and a Copy button that says "Copied" once the
 * clipboard has it. Where there is no clipboard (an insecure origin, permission refused) the link is
 * left selected to copy by hand, and the button says so.
 */
export function CopyLink({ link, testId }: { link: string; testId: string }) {
  const [copied, setCopied] = useState<'copied' | 'select' | null>(null)
  const field = useRef<HTMLInputElement>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link)
      setCopied('copied')
    } catch {
      field.current?.select()
      setCopied('select')
    }
  }
  return (
    <div className="copy-link">
      <input
        ref={field}
        readOnly
        aria-label="Invite link"
        data-testid={testId}
        value={link}
        onFocus={(e) => e.currentTarget.select()}
      />
      <button type="button" onClick={copy}>
        {copied === 'copied' ? <Check size={15} aria-hidden /> : <Copy size={15} aria-hidden />} Copy link
      </button>
      <span role="status" className="copy-status" data-testid="copy-status">
        {copied === 'copied' ? 'Copied' : copied === 'select' ? 'Press Ctrl+C to copy' : ''}
      </span>
    </div>
  )
}
