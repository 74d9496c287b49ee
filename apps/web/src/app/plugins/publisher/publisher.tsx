'use client'

import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { api, messageOf } from '../../../client/api/client'

/**
 * Become a publisher (a public name, chosen once) and manage the tokens the `ensemble-plugin publish`
 * command sends. A new token is shown here once; the server keeps only its hash.
 */

type Me = Awaited<ReturnType<typeof api.registry.me.query>>

const section = { background: 'var(--panel)', border: '1px solid var(--line)', borderRadius: 8, padding: 16 }
const when = (iso: string) => new Date(iso).toLocaleString()

export function PublisherPage() {
  const [me, setMe] = useState<Me | null>(null)
  const [newToken, setNewToken] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [origin, setOrigin] = useState('')
  useEffect(() => setOrigin(location.origin), [])

  const load = useCallback(async () => {
    try {
      setMe(await api.registry.me.query())
    } catch (err) {
      setError(messageOf(err))
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])

  const act = async (change: () => Promise<unknown>) => {
    setError(null)
    try {
      await change()
    } catch (err) {
      setError(messageOf(err))
    }
    await load()
  }

  const become = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const name = String(new FormData(e.currentTarget).get('name') ?? '')
    void act(() => api.registry.becomePublisher.mutate({ name }))
  }
  const createToken = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const label = String(new FormData(e.currentTarget).get('label') ?? '')
    void act(async () => {
      const created = await api.registry.createPublisherToken.mutate({ label })
      setNewToken(created.token)
    })
  }

  return (
    <main className="page" style={{ '--page-width': '760px' } as React.CSSProperties}>
      <p>
        <a href="/">← Your songs</a> · <a href="/plugins">Plugin gallery</a>
      </p>
      <h1>Publish plugins</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {me === null ? (
        <p className="muted">Loading…</p>
      ) : me.publisher === null ? (
        <section style={section}>
          <h2>Choose a publisher name</h2>
          <p className="muted">
            Shown on every plugin you publish. It cannot be changed later, and each plugin id you publish
            stays yours.
          </p>
          <form onSubmit={become} className="row">
            <input
              name="name"
              aria-label="Publisher name"
              placeholder="e.g. night-owl-audio"
              required
              maxLength={40}
              pattern="[a-z0-9][a-z0-9\-]{1,38}[a-z0-9]"
              title="3 to 40 lower-case letters, digits or dashes"
              className="grow"
            />
            <button type="submit" className="primary">
              Become a publisher
            </button>
          </form>
        </section>
      ) : (
        <>
          <section style={section}>
            <h2>
              Publisher <span data-testid="publisher-name">{me.publisher.name}</span>
            </h2>
            <p className="muted">
              Publish from your plugin's folder with{' '}
              <code>ensemble-plugin publish --registry {origin} --token &lt;token&gt;</code>.
            </p>
            <p>
              <a href="/plugins/publisher/failures">Failures and strikes of your versions →</a>
            </p>
          </section>
          <section style={section}>
            <h2>Your plugins</h2>
            {me.plugins.length === 0 ? (
              <p className="muted">Nothing published yet.</p>
            ) : (
              <ul style={{ listStyle: 'none', padding: 0, display: 'grid', gap: 10 }}>
                {me.plugins.map((p) => (
                  <li key={p.id} data-testid="my-plugin">
                    <strong>{p.latest?.name ?? p.versions[0]?.name}</strong> <code>{p.id}</code>
                    <ul style={{ paddingLeft: 20 }}>
                      {p.versions.map((v) => (
                        <li key={v.version} className="row">
                          <span className="grow">
                            {v.version} · published {when(v.publishedAt)}
                            {v.yankedAt && (
                              <span className="error">
                                {' '}
                                · withdrawn {when(v.yankedAt)}
                                {v.yankReason ? `: ${v.yankReason}` : ''}
                              </span>
                            )}
                          </span>
                          {v.yankedAt === null && (
                            <button
                              type="button"
                              aria-label={`Withdraw ${p.id} ${v.version}`}
                              onClick={() => {
                                const reason = prompt(
                                  `Withdraw ${p.id} ${v.version}? It stops running in every song at once and cannot be undone. Why?`,
                                )
                                if (reason !== null)
                                  void act(() =>
                                    api.registry.yank.mutate({ pluginId: p.id, version: v.version, reason }),
                                  )
                              }}
                            >
                              Withdraw
                            </button>
                          )}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section style={section}>
            <h2>Tokens</h2>
            <form onSubmit={createToken} className="row">
              <input
                name="label"
                aria-label="Token label"
                placeholder="What it is for, e.g. laptop or CI"
                required
                maxLength={80}
                className="grow"
              />
              <button type="submit" className="primary">
                Create token
              </button>
            </form>
            {newToken && (
              <p>
                Copy it now, it will not be shown again:{' '}
                <input data-testid="new-token" readOnly value={newToken} style={{ width: '100%' }} />
              </p>
            )}
            <ul style={{ listStyle: 'none', padding: 0, display: 'grid', gap: 6 }}>
              {me.tokens.map((t) => (
                <li key={t.id} data-testid="token" className="row">
                  <span className="grow">
                    {t.label}{' '}
                    <span className="muted">
                      created {when(t.createdAt)}
                      {t.lastUsedAt ? ` · last used ${when(t.lastUsedAt)}` : ' · never used'}
                      {t.revokedAt ? ` · revoked ${when(t.revokedAt)}` : ''}
                    </span>
                  </span>
                  {t.revokedAt === null && (
                    <button
                      type="button"
                      aria-label={`Revoke ${t.label}`}
                      onClick={() => act(() => api.registry.revokePublisherToken.mutate({ tokenId: t.id }))}
                    >
                      Revoke
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </main>
  )
}
