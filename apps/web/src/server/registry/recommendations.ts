import { nextSteps, readSong, type TrackKind } from '@ensemble/core'
import type { PluginKind } from '@ensemble/core/plugin'
import * as Y from 'yjs'
import type { Db } from '../db'
import { type CataloguePlugin, searchPlugins } from './catalogue'
import { listInstalls } from './installs'
import { type RatingSummary, ratingSummaries } from './ratings'

/**
 * Registry plugins for this song: those that work on the kinds of track it has, first the kinds its
 * "what next" steps call for (core next-steps.ts: no bass → an arranger, a lone melody → a harmonizer,
 * empty drums or a melody that stops → a generator), then by the ratings of the bands that installed them.
 * Plugins the project already installed are left out.
 */

export const MAX_RECOMMENDED = 6

const WANTED: Record<PluginKind, string> = {
  generator: 'new parts',
  arranger: 'an arranger',
  harmonizer: 'a harmonizer',
  // The registry refuses to publish a live partner (it runs in the page), so none is ever recommended.
  live: 'a live partner',
}

export interface Recommendation {
  readonly plugin: CataloguePlugin
  readonly rating: RatingSummary
  /** Why it is offered for this song. */
  readonly why: string
}

interface SongNeeds {
  readonly trackKinds: ReadonlySet<TrackKind>
  readonly pluginKinds: ReadonlySet<PluginKind>
}

export function songNeeds(state: Uint8Array): SongNeeds {
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state)
    const song = readSong(doc)
    const pluginKinds = new Set<PluginKind>(
      nextSteps(song).map((s) => (s.action === 'drums' || s.action === 'continue' ? 'generator' : s.action)),
    )
    return { trackKinds: new Set(song.tracks.map((t) => t.kind)), pluginKinds }
  } finally {
    doc.destroy()
  }
}

export async function recommendPlugins(
  db: Db,
  projectId: string,
  needs: SongNeeds,
): Promise<Recommendation[]> {
  const installed = new Set((await listInstalls(db, projectId)).map((i) => i.pluginId))
  const candidates = (await searchPlugins(db, { query: '', limit: 100 })).filter(
    (p) => p.latest !== null && !installed.has(p.id),
  )
  const ratings = await ratingSummaries(
    db,
    candidates.map((p) => p.id),
  )
  const scored = candidates.flatMap((plugin) => {
    const latest = plugin.latest
    if (latest === null) return []
    const fits = latest.trackKinds.filter((k) => needs.trackKinds.has(k))
    if (fits.length === 0) return []
    const wanted = needs.pluginKinds.has(latest.kind)
    const rating = ratings.get(plugin.id) ?? { mean: null, count: 0 }
    const why = wanted
      ? `This song could use ${WANTED[latest.kind]} on its ${fits.join(' and ')} tracks.`
      : `Works on this song’s ${fits.join(' and ')} tracks.`
    return [{ plugin, rating, why, score: (wanted ? 10 : 0) + fits.length + (rating.mean ?? 0) }]
  })
  return scored
    .sort((a, b) => b.score - a.score || a.plugin.id.localeCompare(b.plugin.id))
    .slice(0, MAX_RECOMMENDED)
    .map(({ plugin, rating, why }) => ({ plugin, rating, why }))
}
