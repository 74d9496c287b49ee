'use client'

import {
  MODES,
  readMeta,
  setKey,
  setTempo,
  setTimeSignature,
  setTitle,
  TimeSignatureSchema,
  TONIC_CHOICES,
} from '@ensemble/core'
import { useEffect, useState } from 'react'
import { useSong } from '../session/hooks'
import type { SongSession } from '../session/song-session'

/** A text field that edits locally and commits on blur or Enter, so remote edits never fight the cursor. */
function CommitField(props: {
  label: string
  value: string
  onCommit: (value: string) => void
  readOnly: boolean
  width?: number
  className?: string
  type?: 'text' | 'number'
  testId?: string
}) {
  const [draft, setDraft] = useState(props.value)
  const [editing, setEditing] = useState(false)
  useEffect(() => {
    if (!editing) setDraft(props.value)
  }, [props.value, editing])
  return (
    <input
      aria-label={props.label}
      data-testid={props.testId}
      type={props.type ?? 'text'}
      value={draft}
      readOnly={props.readOnly}
      className={props.className}
      style={{ width: props.width }}
      onFocus={() => setEditing(true)}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => {
        setEditing(false)
        if (draft !== props.value) props.onCommit(draft)
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') e.currentTarget.blur()
        if (e.key === 'Escape') {
          setDraft(props.value)
          setEditing(false)
        }
      }}
    />
  )
}

export function SongHeader({ session, onError }: { session: SongSession; onError: (err: unknown) => void }) {
  const meta = useSong(session.doc, readMeta)
  const readOnly = session.role === 'viewer'
  const run = (fn: () => void) => {
    try {
      fn()
    } catch (err) {
      onError(err)
    }
  }
  return (
    <div className="st-song-meta">
      <CommitField
        label="Song title"
        testId="song-title"
        value={meta.title}
        readOnly={readOnly}
        className="st-song-title"
        onCommit={(v) => run(() => setTitle(session.doc, session.me, v))}
      />
      <span className="st-meta-field">
        <span>BPM</span>
        <CommitField
          label="Tempo"
          testId="song-tempo"
          type="number"
          value={String(meta.bpm)}
          readOnly={readOnly}
          width={64}
          onCommit={(v) => run(() => setTempo(session.doc, session.me, Number(v)))}
        />
      </span>
      <label className="st-meta-field">
        <span>Time</span>
        <select
          aria-label="Time signature"
          disabled={readOnly}
          value={`${meta.timeSignature.numerator}/${meta.timeSignature.denominator}`}
          onChange={(e) => {
            const [numerator, denominator] = e.target.value.split('/').map(Number)
            run(() =>
              setTimeSignature(
                session.doc,
                session.me,
                TimeSignatureSchema.parse({ numerator, denominator }),
              ),
            )
          }}
        >
          {['2/4', '3/4', '4/4', '5/4', '6/8', '7/8', '12/8'].map((ts) => (
            <option key={ts}>{ts}</option>
          ))}
        </select>
      </label>
      <label className="st-meta-field">
        <span>Key</span>
        <select
          aria-label="Key tonic"
          disabled={readOnly}
          value={meta.key.tonic}
          onChange={(e) => run(() => setKey(session.doc, session.me, { ...meta.key, tonic: e.target.value }))}
        >
          {TONIC_CHOICES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <select
          aria-label="Key mode"
          disabled={readOnly}
          value={meta.key.mode}
          onChange={(e) =>
            run(() =>
              setKey(session.doc, session.me, {
                ...meta.key,
                mode: e.target.value as (typeof MODES)[number],
              }),
            )
          }
        >
          {MODES.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
    </div>
  )
}
