'use client'

import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { api, messageOf } from '../../client/api/client'
import { CapabilityList, sandboxNote } from './capabilities'
import {
  type OwnPlugin,
  OwnPlugins,
  RateControl,
  type Rating,
  RatingSummary,
  type Recommendation,
  Recommended,
} from './ratings'

/**
 * The plugin gallery: search the registry (text and kind), read each plugin's versions, publisher,
 * capabilities and licence, and, for a project you own, install or remove a plugin after a dialog
 * that lists exactly what it may do. The API checks the role again; this page only hides buttons.
 */

type Plugin = Awaited<ReturnType<typeof api.registry.search.query>>[number]
type Version = Plugin['versions'][number]
type Project = Awaited<ReturnType<typeof api.projects.list.query>>[number]
type Installs = Awaited<ReturnType<typeof api.registry.installs.query>>

const KINDS = ['generator', 'arranger', 'harmonizer'] as const
type Kind = (typeof KINDS)[number]

const card = {
  background: 'var(--panel)',
  border: '1px solid var(--line)',
  borderRadius: 'var(--radius)',
  padding: 14,
  display: 'grid',
  gap: 6,
}
const chip = {
  border: '1px solid var(--line)',
  borderRadius: 999,
  padding: '1px 8px',
  fontSize: 12,
  color: 'var(--muted)',
}
const day = (iso: string) => new Date(iso).toLocaleDateString()

export function PluginGallery({ initialProjectId }: { initialProjectId: string | null }) {
  const [query, setQuery] = useState('')
  const [kind, setKind] = useState<Kind | ''>('')
  const [plugins, setPlugins] = useState<Plugin[] | null>(null)
  const [projects, setProjects] = useState<Project[]>([])
  const [projectId, setProjectId] = useState<string | null>(initialProjectId)
  const [installs, setInstalls] = useState<Installs | null>(null)
  const [confirming, setConfirming] = useState<{ plugin: Plugin; version: Version } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [ratings, setRatings] = useState<Map<string, Rating>>(new Map())
  const [recommended, setRecommended] = useState<Recommendation[]>([])
  const [own, setOwn] = useState<OwnPlugin[]>([])

  const search = useCallback(async (q: string, k: Kind | '') => {
    try {
      setPlugins(await api.registry.search.query({ query: q, ...(k === '' ? {} : { kind: k }) }))
    } catch (err) {
      setError(messageOf(err))
    }
  }, [])

  const loadInstalls = useCallback(async (id: string | null) => {
    setInstalls(null)
    if (id === null) return
    try {
      setInstalls(await api.registry.installs.query({ projectId: id }))
    } catch (err) {
      setError(messageOf(err))
    }
  }, [])

  useEffect(() => {
    void search('', '')
    api.registry.firstParty
      .query()
      .then(setOwn)
      .catch(() => setOwn([]))
    api.projects.list
      .query()
      .then(setProjects)
      .catch((err: unknown) => setError(messageOf(err)))
  }, [search])
  useEffect(() => {
    void loadInstalls(projectId)
  }, [projectId, loadInstalls])

  const loadRatings = useCallback(async (ids: readonly string[], id: string | null) => {
    if (ids.length === 0) return
    try {
      const list = await api.registry.ratings.query({
        pluginIds: [...ids],
        ...(id === null ? {} : { projectId: id }),
      })
      setRatings(new Map(list.map((r) => [r.pluginId, r])))
    } catch (err) {
      setError(messageOf(err))
    }
  }, [])
  // Registry plugins and Ensemble's own share one ratings table.
  const rated = [...(plugins ?? []).map((p) => p.id), ...own.map((p) => p.id)]
  const ratedKey = rated.join('\n')
  // One string for the ids, so the effect reloads when the set changes, not on every render.
  useEffect(() => {
    void loadRatings(ratedKey === '' ? [] : ratedKey.split('\n'), projectId)
  }, [ratedKey, projectId, loadRatings])
  useEffect(() => {
    setRecommended([])
    if (projectId === null) return
    api.registry.recommended
      .query({ projectId })
      .then(setRecommended)
      .catch((err: unknown) => setError(messageOf(err)))
  }, [projectId])
  const rate = async (pluginId: string, stars: number) => {
    if (projectId === null) return
    setError(null)
    try {
      await api.registry.rate.mutate({ projectId, pluginId, stars })
    } catch (err) {
      setError(messageOf(err))
    }
    await loadRatings(rated, projectId)
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    void search(query, kind)
  }

  const act = async (change: () => Promise<unknown>) => {
    setError(null)
    try {
      await change()
    } catch (err) {
      setError(messageOf(err))
    }
    await loadInstalls(projectId)
  }

  const project = projects.find((p) => p.id === projectId) ?? null
  const canManage = installs?.canManage === true
  const canRate = project !== null && project.role !== 'viewer'
  const installed = new Map((installs?.installs ?? []).map((i) => [i.pluginId, i]))

  return (
    <main className="page" style={{ '--page-width': '960px' } as React.CSSProperties}>
      <p>
        <a href="/">← Your songs</a>
        {project && (
          <>
            {' '}
            · <a href={`/songs/${project.id}`}>Back to {project.name}</a>
          </>
        )}{' '}
        · <a href="/plugins/publisher">Publish a plugin</a>
      </p>
      <h1>Plugin gallery</h1>
      <p style={{ color: 'var(--muted)', margin: 0 }}>
        AI plugins by other people. Each runs sandboxed and can only do what its card lists.
      </p>

      <section style={{ ...card, gridTemplateColumns: '1fr' }}>
        <label style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
          Project
          <select
            aria-label="Project"
            value={projectId ?? ''}
            onChange={(e) => setProjectId(e.target.value === '' ? null : e.target.value)}
          >
            <option value="">Choose a song to install plugins into…</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.role})
              </option>
            ))}
          </select>
        </label>
        {installs && (
          <div data-testid="installed">
            {installs.installs.length === 0 ? (
              <span className="muted">No plugins installed in this song yet.</span>
            ) : (
              <span>
                Installed:{' '}
                {installs.installs.map((i) => (
                  <span key={i.pluginId} data-testid="installed-plugin" style={{ marginRight: 12 }}>
                    {i.name} {i.version}
                    {i.yankedAt && <span className="error"> (withdrawn)</span>}
                  </span>
                ))}
              </span>
            )}
            {!canManage && <div className="muted">Only the song’s owner can install or remove plugins.</div>}
          </div>
        )}
      </section>

      {project && <Recommended items={recommended} songName={project.name} />}
      <OwnPlugins
        plugins={own}
        ratings={ratings}
        canRate={canRate}
        onRate={(pluginId, stars) => void rate(pluginId, stars)}
      />
      <form onSubmit={submit} className="row">
        <input
          aria-label="Search plugins"
          placeholder="Search by name, id, publisher or description"
          value={query}
          maxLength={200}
          onChange={(e) => setQuery(e.target.value)}
          className="grow"
        />
        <select
          aria-label="Kind"
          value={kind}
          onChange={(e) => {
            const next = (KINDS as readonly string[]).includes(e.target.value) ? (e.target.value as Kind) : ''
            setKind(next)
            void search(query, next)
          }}
        >
          <option value="">All kinds</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <button type="submit" className="primary">
          Search
        </button>
      </form>

      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}

      {plugins === null ? (
        <p className="muted">Loading…</p>
      ) : plugins.length === 0 ? (
        <p className="muted">No plugins match.</p>
      ) : (
        <ul style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: 10 }}>
          {plugins.map((plugin) => {
            const shown = plugin.latest ?? plugin.versions[0]
            if (shown === undefined) return null
            const mine = installed.get(plugin.id)
            return (
              <li
                key={plugin.id}
                id={`plugin-${plugin.id}`}
                data-testid="plugin-card"
                data-plugin-id={plugin.id}
                style={card}
              >
                <div style={{ display: 'flex', gap: 8, alignItems: 'baseline', flexWrap: 'wrap' }}>
                  <strong style={{ fontSize: 17 }}>{shown.name}</strong>
                  <code className="muted">{plugin.id}</code>
                  <span className="grow" />
                  <span style={chip}>{shown.kind}</span>
                  <span style={chip} data-testid="licence">
                    {shown.licence}
                  </span>
                </div>
                <div style={{ color: 'var(--muted)', fontSize: 14 }}>
                  by <span data-testid="publisher">{plugin.publisher}</span> · {shown.author} · for{' '}
                  {shown.trackKinds.join(', ')} tracks
                </div>
                <p style={{ margin: 0, overflowWrap: 'anywhere' }}>{shown.description}</p>
                <div
                  style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap', fontSize: 14 }}
                >
                  <RatingSummary rating={ratings.get(plugin.id)} />
                  {canRate && mine && (
                    <RateControl
                      name={shown.name}
                      mine={ratings.get(plugin.id)?.mine ?? null}
                      onRate={(stars) => void rate(plugin.id, stars)}
                    />
                  )}
                </div>
                <div style={{ fontSize: 14 }}>
                  May:
                  <CapabilityList capabilities={shown.capabilities} models={shown.models} />
                </div>
                <details>
                  <summary>
                    {plugin.versions.length} version{plugin.versions.length === 1 ? '' : 's'}
                  </summary>
                  <ul data-testid="versions" style={{ fontSize: 13, paddingLeft: 20 }}>
                    {plugin.versions.map((v) => (
                      <li key={v.version} data-testid="version">
                        {v.version} · {day(v.publishedAt)} · {v.capabilities.join(', ') || 'no capabilities'}{' '}
                        · {v.licence} · sha256 <code>{v.archiveSha256.slice(0, 12)}</code>
                        {v.yankedAt && (
                          <span className="error">
                            {' '}
                            · withdrawn {day(v.yankedAt)}
                            {v.yankReason ? `: ${v.yankReason}` : ''}
                          </span>
                        )}
                      </li>
                    ))}
                  </ul>
                </details>
                {projectId !== null && canManage && (
                  <div className="row">
                    {mine ? (
                      <>
                        <span>
                          Installed in this song: {mine.version}
                          {mine.yankedAt && <span className="error"> (withdrawn, no longer runs)</span>}
                        </span>
                        <button
                          type="button"
                          aria-label={`Remove ${shown.name}`}
                          onClick={() =>
                            act(() => api.registry.uninstall.mutate({ projectId, pluginId: plugin.id }))
                          }
                        >
                          Remove
                        </button>
                      </>
                    ) : plugin.latest ? (
                      <button
                        type="button"
                        className="primary"
                        aria-label={`Install ${shown.name}`}
                        onClick={() => plugin.latest && setConfirming({ plugin, version: plugin.latest })}
                      >
                        Install {plugin.latest.version}…
                      </button>
                    ) : (
                      <span className="muted">Every version was withdrawn.</span>
                    )}
                  </div>
                )}
              </li>
            )
          })}
        </ul>
      )}

      {confirming && projectId !== null && (
        <div
          style={{
            position: 'fixed',
            inset: 0,
            background: 'rgba(0,0,0,0.55)',
            display: 'grid',
            placeItems: 'center',
            padding: 16,
          }}
        >
          <div
            role="dialog"
            aria-modal="true"
            aria-label={`Install ${confirming.version.name}`}
            style={{ ...card, maxWidth: 520, background: 'var(--panel-2)' }}
          >
            <h2 style={{ margin: 0 }}>
              Install {confirming.version.name} {confirming.version.version}
              {project ? ` in ${project.name}` : ''}?
            </h2>
            <div className="muted">
              Published by {confirming.plugin.publisher} · licence {confirming.version.licence}
            </div>
            <div>
              Everyone in this song will be able to run it. It may:
              <CapabilityList
                capabilities={confirming.version.capabilities}
                models={confirming.version.models}
              />
            </div>
            <p style={{ margin: 0, color: 'var(--muted)' }}>{sandboxNote}</p>
            <div style={{ display: 'flex', gap: 8, justifyContent: 'flex-end' }}>
              <button type="button" onClick={() => setConfirming(null)}>
                Cancel
              </button>
              <button
                type="button"
                className="primary"
                onClick={() => {
                  const { plugin, version } = confirming
                  setConfirming(null)
                  void act(() =>
                    api.registry.install.mutate({ projectId, pluginId: plugin.id, version: version.version }),
                  )
                }}
              >
                Install
              </button>
            </div>
          </div>
        </div>
      )}
    </main>
  )
}
