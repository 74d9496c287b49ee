'use client'

import { type KeyboardEvent, useLayoutEffect, useRef, useState } from 'react'
import { mentionAt } from '../../discussion/mentions'
import { useDiscussion } from './discussion-store'

/**
 * A text box that offers the song's members while an `@name` is typed: arrows pick, Enter or Tab inserts
 * "@Name ". Enter alone (no list open) sends, Shift+Enter breaks the line.
 */
export function MentionInput({
  value,
  onChange,
  onSubmit,
  placeholder,
  maxLength,
  label,
  testId,
  onTyping,
}: {
  value: string
  onChange: (value: string) => void
  onSubmit: () => void
  placeholder: string
  maxLength: number
  label: string
  testId?: string
  onTyping?: () => void
}) {
  const { members } = useDiscussion()
  const ref = useRef<HTMLTextAreaElement>(null)
  const [caret, setCaret] = useState(0)
  const [pick, setPick] = useState(0)
  // Where the caret goes once an inserted mention is on screen: set in the same commit as the new
  // value, so keys typed right after land after the mention (a frame later would move them).
  const caretAfterInsert = useRef<number | null>(null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the value the insert set is committed
  useLayoutEffect(() => {
    const at = caretAfterInsert.current
    if (at === null || ref.current === null) return
    caretAfterInsert.current = null
    ref.current.setSelectionRange(at, at)
  }, [value])
  const typing = mentionAt(value, caret)
  const matches =
    typing === null
      ? []
      : members.filter((m) => m.name.toLowerCase().startsWith(typing.query.toLowerCase())).slice(0, 6)

  const insert = (name: string) => {
    if (typing === null) return
    const next = `${value.slice(0, typing.start)}@${name} ${value.slice(caret)}`
    onChange(next)
    const at = typing.start + name.length + 2
    setCaret(at)
    caretAfterInsert.current = at
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    e.stopPropagation() // typing never reaches the studio's shortcuts
    if (matches.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length)
        return
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault()
        insert(matches[Math.min(pick, matches.length - 1)]?.name ?? '')
        return
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault()
      onSubmit()
    }
  }

  return (
    <div className="st-mention">
      <textarea
        ref={ref}
        value={value}
        rows={2}
        maxLength={maxLength}
        aria-label={label}
        placeholder={placeholder}
        data-testid={testId}
        onChange={(e) => {
          onChange(e.target.value)
          setCaret(e.target.selectionStart)
          setPick(0)
          onTyping?.()
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
      />
      {matches.length > 0 && (
        <ul className="st-mention-list" aria-label="Mention a bandmate">
          {matches.map((m, i) => (
            <li key={m.userId}>
              <button
                type="button"
                className={`st-mention-option${i === pick ? ' picked' : ''}`}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => insert(m.name)}
              >
                @{m.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
