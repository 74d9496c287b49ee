'use client'

import { useEffect, useState } from 'react'
import { api, messageOf } from '../../../../client/api/client'

/**
 * A publisher's view of how their versions fail in musicians' songs: per version, each reason with its
 * count and when it last happened, and the inference service's strikes (too many and the version is
 * suspended for a while). Counts only: no song or musician is named.
 */

type Trouble = Awaited<ReturnType<typeof api.registry.failures.query>>

const section = { background: 'var(--panel)', border: '1px solid var(--line)', borderRadius: 8, padding: 16 }
const when = (iso: string) => new Date(iso).toLocaleString()

export function FailuresPage() {
  const [trouble, setTrouble] = useState<Trouble | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    api.registry.failures.query().then(setTrouble, (err: unknown) => setError(messageOf(err)))
  }, [])

  return (
    <main className="page" style={{ '--page-width': '760px' } as React.CSSProperties}>
      <p>
        <a href="/plugins/publisher">← Publisher</a> · <a href="/plugins">Plugin gallery</a>
      </p>
      <h1>Failures and strikes</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {trouble === null ? (
        !error && <p className="muted">Loading…</p>
      ) : (
        <>
          <p className="muted">
            Failed runs of your versions in the last {trouble.windowDays} days, by reason. A strike is a
            failure that was the plugin's fault within the AI service's recent window; too many and the
            version is suspended until the window passes.
            {!trouble.strikesKnown && ' The AI service is not answering, so strikes are unknown right now.'}
          </p>
          {trouble.versions.length === 0 && <p className="muted">Nothing published yet.</p>}
          {trouble.versions.map((v) => (
            <section
              key={`${v.pluginId}@${v.version}`}
              style={{ ...section, marginBottom: 12 }}
              data-testid="version-trouble"
            >
              <h2 style={{ fontSize: '1rem' }}>
                <code>{v.pluginId}</code> {v.version}
              </h2>
              <p data-testid="strikes">
                {v.strikes === null
                  ? 'Strikes: none (not loaded by the AI service since it started).'
                  : `Strikes: ${v.strikes.strikes}${v.strikes.suspended ? ' (suspended)' : ''}${
                      v.strikes.lastStrike
                        ? `, last ${when(v.strikes.lastStrike.at)}: ${v.strikes.lastStrike.message}`
                        : ''
                    }`}
              </p>
              {v.failures.length === 0 ? (
                <p className="muted">No failures.</p>
              ) : (
                <table style={{ width: '100%' }}>
                  <thead>
                    <tr>
                      <th align="left">Reason</th>
                      <th align="right">Runs</th>
                      <th align="left">Last</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.failures.map((f) => (
                      <tr key={f.outcome} data-testid="failure">
                        <td>
                          <code>{f.outcome}</code> <span className="muted">{f.meaning}</span>
                        </td>
                        <td align="right">{f.count}</td>
                        <td>{when(f.lastAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          ))}
        </>
      )}
    </main>
  )
}
