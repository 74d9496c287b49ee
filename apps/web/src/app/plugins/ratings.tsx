'use client'

import type { api } from '../../client/api/client'

/*
 * Ratings and recommendations in the gallery (server registry/ratings.ts, recommendations.ts): what bands
 * that installed a plugin thought of it (mean and count, one rating per project), this band's own rating
 * when it installed the plugin, and the plugins suggested for the chosen song.
 */

export type Rating = Awaited<ReturnType<typeof api.registry.ratings.query>>[number]
export type OwnPlugin = Awaited<ReturnType<typeof api.registry.firstParty.query>>[number]
export type Recommendation = Awaited<ReturnType<typeof api.registry.recommended.query>>[number]

const stars = (n: number) => '★'.repeat(n) + '☆'.repeat(5 - n)

export function RatingSummary({ rating }: { rating: { mean: number | null; count: number } | undefined }) {
  if (rating === undefined || rating.mean === null || rating.count === 0)
    return <span className="muted">Not rated yet</span>
  return (
    <span data-testid="rating" title={`${rating.mean.toFixed(2)} of 5`}>
      {stars(Math.round(rating.mean))} {rating.mean.toFixed(1)} · {rating.count} band
      {rating.count === 1 ? '' : 's'}
    </span>
  )
}

/** This band's rating of a plugin it installed; changing it replaces the band's rating. */
export function RateControl(props: { name: string; mine: number | null; onRate: (stars: number) => void }) {
  return (
    <label style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
      Your band’s rating
      <select
        aria-label={`Rate ${props.name}`}
        value={props.mine ?? ''}
        onChange={(e) => {
          const n = Number(e.target.value)
          if (n >= 1 && n <= 5) props.onRate(n)
        }}
      >
        <option value="" disabled>
          –
        </option>
        {[5, 4, 3, 2, 1].map((n) => (
          <option key={n} value={n}>
            {stars(n)}
          </option>
        ))}
      </select>
    </label>
  )
}

export function Recommended({ items, songName }: { items: readonly Recommendation[]; songName: string }) {
  if (items.length === 0) return null
  return (
    <section aria-label="Recommended for this song" data-testid="recommended">
      <h2 style={{ fontSize: 17, margin: '8px 0' }}>Recommended for {songName}</h2>
      <ul style={{ margin: 0, paddingLeft: 20, display: 'grid', gap: 4 }}>
        {items.map((r) => (
          <li key={r.plugin.id} data-testid="recommended-plugin">
            <a href={`#plugin-${encodeURIComponent(r.plugin.id)}`}>
              <strong>{r.plugin.latest?.name ?? r.plugin.id}</strong>
            </a>{' '}
            <span className="muted">{r.why}</span> <RatingSummary rating={r.rating} />
          </li>
        ))}
      </ul>
    </section>
  )
}

/**
 * Ensemble's own plugins, rated like the registry's: one rating per project, by a band that has used the
 * plugin on its song (the server checks; it says so when the band has not).
 */
export function OwnPlugins(props: {
  plugins: readonly OwnPlugin[]
  ratings: ReadonlyMap<string, Rating>
  canRate: boolean
  onRate: (pluginId: string, stars: number) => void
}) {
  if (props.plugins.length === 0) return null
  return (
    <section aria-label="Ensemble’s own plugins" data-testid="own-plugins">
      <h2 style={{ fontSize: 17, margin: '8px 0' }}>Ensemble’s own plugins</h2>
      <ul style={{ margin: 0, paddingLeft: 20, display: 'grid', gap: 6 }}>
        {props.plugins.map((p) => (
          <li key={p.id} data-testid="own-plugin" data-plugin-id={p.id}>
            <strong>{p.name}</strong> <span className="muted">{p.kind}</span>{' '}
            <RatingSummary rating={props.ratings.get(p.id)} />
            {props.canRate && (
              <RateControl
                name={p.name}
                mine={props.ratings.get(p.id)?.mine ?? null}
                onRate={(stars) => props.onRate(p.id, stars)}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
