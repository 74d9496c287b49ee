'use client'

import './changes.css'
import { readMeta, ticksPerBar } from '@ensemble/core'
import { Check, History } from 'lucide-react'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { jumpTo } from './jump'
import { type SinceSummary, useChangesSince } from './use-changes-since'

/**
 * "While you were away": what bandmates changed since this member's last visit, by person, then by
 * track, each line a button that jumps to the place (`jump.ts`). Computed by the server from the
 * song's log (`server/changes/`); shown once on open, until "Mark as seen".
 */
export function ChangesSince() {
  const studio = useStudio()
  const { state, markSeen } = useChangesSince(studio.session.projectId)
  if (state.status !== 'unread') return null
  return <ChangesPanel summary={state.summary} onSeen={markSeen} />
}

const barOf = (tick: number, barLength: number) => Math.floor(tick / barLength) + 1

function ChangesPanel({ summary, onSeen }: { summary: SinceSummary; onSeen: () => void }) {
  const studio = useStudio()
  const meta = useSong(studio.session.doc, readMeta)
  const barLength = ticksPerBar(meta.timeSignature)
  const more = summary.omittedItems
  return (
    <section className="st-since" aria-label="Changes since your last visit">
      <header className="st-since-head">
        <History size={15} aria-hidden />
        <strong>While you were away</strong>
        <span className="st-grow" />
        <button type="button" onClick={onSeen}>
          <Check size={14} aria-hidden /> Mark as seen
        </button>
      </header>
      <ul className="st-since-people">
        {summary.authors.map((author) => (
          <li key={author.authorId ?? 'server'} data-testid="since-author">
            <span className="st-since-who">{author.authorName ?? 'Someone'}</span>
            <ul>
              {author.tracks.map((track) => (
                <li key={track.trackId ?? 'song'}>
                  <span className="st-since-track">{track.trackName ?? 'Song'}</span>
                  {track.items.map((item) => (
                    <button
                      key={`${item.kind}:${item.text}`}
                      type="button"
                      className="st-since-item"
                      data-testid="since-item"
                      onClick={() => jumpTo(studio, item.place, item.kind)}
                      title={item.place.start === null && item.kind !== 'effects' ? undefined : 'Show where'}
                    >
                      {item.text}
                      {item.place.start !== null && item.place.end !== null && (
                        <span className="st-since-where">
                          {' '}
                          bar {barOf(item.place.start, barLength)}
                          {barOf(Math.max(item.place.start, item.place.end - 1), barLength) !==
                            barOf(item.place.start, barLength) && `–${barOf(item.place.end - 1, barLength)}`}
                        </span>
                      )}
                    </button>
                  ))}
                </li>
              ))}
              {author.edits > 0 && author.tracks.length === 0 && <li>{author.edits} edits</li>}
            </ul>
          </li>
        ))}
      </ul>
      {(more > 0 || summary.unclassifiedEdits > 0) && (
        <p className="st-since-more">
          and{' '}
          {more > 0
            ? `${more} more change${more === 1 ? '' : 's'}`
            : `${summary.unclassifiedEdits} more edits`}
        </p>
      )}
    </section>
  )
}
