/*
 * "What changed since you left": many classified edits (`changes.ts`) folded into a few lines per person and
 * track ("added 3 clips", "changed tempo 96 → 100", "accepted Harmonizer's proposal"), each with the place to
 * jump to. Memory is bounded by the song, not by the number of edits: edits fold into one item per
 * (author, track, kind) (per clip for notes), and the output is cut at `maxItems` with a count of the rest.
 */
import type { MixerField, SongChange, SongChangeKind } from './changes'
import { MAX_HIGHLIGHTED_NOTES } from './changes'
import { MASTER } from './schema'

/** Where an item happened: the studio moves the playhead to `start` and highlights the clips and notes. */
export interface ChangePlace {
  readonly trackId: string | null
  readonly clipIds: readonly string[]
  readonly noteIds: readonly string[]
  /** Song ticks; null for changes with no place in time (tempo, a track's mixer). */
  readonly start: number | null
  readonly end: number | null
}

export interface SummaryItem {
  readonly kind: SongChangeKind
  readonly text: string
  /** How many changes this item folds together. */
  readonly count: number
  readonly place: ChangePlace
}

export interface TrackChanges {
  /** null: the song as a whole (title, tempo, key, time signature). */
  readonly trackId: string | null
  readonly trackName: string | null
  readonly items: readonly SummaryItem[]
}

export interface AuthorChanges {
  /** null: written by the server itself (no member's connection). */
  readonly authorId: string | null
  /** Logged edits of this author in the range (including ones only counted, see `addUncounted`). */
  readonly edits: number
  readonly tracks: readonly TrackChanges[]
}

export interface ChangeSummary {
  readonly authors: readonly AuthorChanges[]
  /** Items left out to keep the summary short ("and N more"). */
  readonly omittedItems: number
  /** Edits counted but not classified (beyond the server's cap), all authors together. */
  readonly unclassifiedEdits: number
}

interface Fold {
  first: SongChange
  last: SongChange
  count: number
  trackId: string | null
  clipIds: Set<string>
  noteIds: Set<string>
  start: number | null
  end: number | null
  added: number
  removed: number
  changed: number
}

interface AuthorFold {
  edits: number
  unclassified: number
  folds: Map<string, Fold>
}

const trackOf = (c: SongChange): string | null => ('trackId' in c ? c.trackId : null)

/** Changes that fold together; notes fold per clip, so a jump lands on the clip that was edited. */
const foldKey = (c: SongChange): string => {
  switch (c.kind) {
    case 'mixer':
      return `${c.trackId}|mixer|${c.field}`
    case 'notes':
    case 'clip-renamed':
      return `${c.trackId}|${c.kind}|${c.clipId}`
    case 'proposal-accepted':
    case 'proposal-discarded':
      return `${c.trackId}|${c.kind}|${c.proposalId}`
    default:
      return `${trackOf(c) ?? ''}|${c.kind}`
  }
}

const placeOf = (c: SongChange): { clipId: string | null; start: number | null; end: number | null } => {
  switch (c.kind) {
    case 'clip-added':
    case 'clip-moved':
    case 'clip-resized':
    case 'clip-renamed':
    case 'notes':
      return { clipId: c.clipId, start: c.start, end: c.end }
    case 'clip-removed':
    case 'proposal-accepted':
    case 'proposal-discarded':
      return { clipId: null, start: c.start, end: c.end }
    default:
      return { clipId: null, start: null, end: null }
  }
}

export class ChangeSummariser {
  private readonly authors = new Map<string | null, AuthorFold>()
  private readonly trackNames = new Map<string, string>()

  /** One logged edit by `authorId`, with what it changed. */
  add(authorId: string | null, changes: readonly SongChange[]): void {
    const author = this.author(authorId)
    author.edits++
    for (const change of changes) {
      const trackId = trackOf(change)
      if (trackId !== null && 'trackName' in change) this.trackNames.set(trackId, change.trackName)
      const key = foldKey(change)
      const place = placeOf(change)
      let fold = author.folds.get(key)
      if (fold === undefined) {
        fold = {
          first: change,
          last: change,
          count: 0,
          trackId,
          clipIds: new Set(),
          noteIds: new Set(),
          start: null,
          end: null,
          added: 0,
          removed: 0,
          changed: 0,
        }
        author.folds.set(key, fold)
      }
      fold.last = change
      fold.count++
      if (change.kind === 'clip-removed') {
        fold.clipIds.delete(change.clipId)
      } else if (place.clipId !== null) fold.clipIds.add(place.clipId)
      if (place.start !== null && place.end !== null) {
        fold.start = fold.start === null ? place.start : Math.min(fold.start, place.start)
        fold.end = fold.end === null ? place.end : Math.max(fold.end, place.end)
      }
      if (change.kind === 'notes' || change.kind === 'effects') {
        fold.added += change.added
        fold.removed += change.removed
        fold.changed += change.changed
      }
      if (change.kind === 'notes') {
        for (const noteId of change.noteIds) {
          if (fold.noteIds.size >= MAX_HIGHLIGHTED_NOTES) break
          fold.noteIds.add(noteId)
        }
      }
    }
  }

  /** Edits past the server's cap: counted for "and N more edits", not classified. */
  addUncounted(authorId: string | null, edits: number): void {
    const author = this.author(authorId)
    author.edits += edits
    author.unclassified += edits
  }

  summary(maxItems: number): ChangeSummary {
    let budget = maxItems
    let omitted = 0
    let unclassified = 0
    const authors: AuthorChanges[] = []
    const ordered = [...this.authors.entries()].sort((a, b) => b[1].edits - a[1].edits)
    for (const [authorId, author] of ordered) {
      unclassified += author.unclassified
      const tracks = new Map<string | null, SummaryItem[]>()
      for (const fold of author.folds.values()) {
        const text = describe(fold)
        if (text === null) continue
        if (budget <= 0) {
          omitted++
          continue
        }
        budget--
        const item: SummaryItem = {
          kind: fold.first.kind,
          text,
          count: fold.count,
          place: {
            trackId: fold.trackId,
            clipIds: [...fold.clipIds],
            noteIds: [...fold.noteIds],
            start: fold.start,
            end: fold.end,
          },
        }
        const list = tracks.get(fold.trackId)
        if (list === undefined) tracks.set(fold.trackId, [item])
        else list.push(item)
      }
      if (tracks.size === 0 && author.unclassified === 0) continue
      authors.push({
        authorId,
        edits: author.edits,
        tracks: [...tracks.entries()].map(([trackId, items]) => ({
          trackId,
          trackName: trackId === null ? null : (this.trackNames.get(trackId) ?? null),
          items,
        })),
      })
    }
    return { authors, omittedItems: omitted, unclassifiedEdits: unclassified }
  }

  private author(authorId: string | null): AuthorFold {
    let author = this.authors.get(authorId)
    if (author === undefined) {
      author = { edits: 0, unclassified: 0, folds: new Map() }
      this.authors.set(authorId, author)
    }
    return author
  }
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`
const quoted = (name: string): string => `“${name}”`
/** A clip by its name; clips are often left unnamed. */
const clipName = (name: string, article = 'a'): string =>
  name === '' ? `${article} clip` : `clip ${quoted(name)}`

const MIXER_LABELS: Record<MixerField, string> = {
  volumeDb: 'volume',
  pan: 'pan',
  mute: 'mute',
  solo: 'solo',
  instrument: 'instrument',
  colour: 'colour',
}

const mixerValue = (field: MixerField, value: string | number | boolean | null): string => {
  if (value === null) return 'none'
  if (field === 'volumeDb' && typeof value === 'number') return `${Math.round(value * 10) / 10} dB`
  if (field === 'pan' && typeof value === 'number')
    return value === 0 ? 'centre' : `${Math.round(Math.abs(value) * 100)} % ${value < 0 ? 'left' : 'right'}`
  if (typeof value === 'boolean') return value ? 'on' : 'off'
  return String(value)
}

/** One line for a fold, or null when its changes cancelled out (tempo 96 → 100 → 96). */
function describe(fold: Fold): string | null {
  const { first, last, count } = fold
  switch (first.kind) {
    case 'title':
    case 'tempo': {
      const from = first.from
      const to = (last as typeof first).to
      if (from === to) return null
      return first.kind === 'title'
        ? `renamed the song ${quoted(String(from))} → ${quoted(String(to))}`
        : `changed tempo ${from} → ${to}`
    }
    case 'time-signature': {
      const to = (last as typeof first).to
      const sig = (t: typeof to) => `${t.numerator}/${t.denominator}`
      return sig(first.from) === sig(to) ? null : `changed time signature ${sig(first.from)} → ${sig(to)}`
    }
    case 'key': {
      const to = (last as typeof first).to
      const key = (k: typeof to) => `${k.tonic} ${k.mode}`
      return key(first.from) === key(to) ? null : `changed key ${key(first.from)} → ${key(to)}`
    }
    case 'track-added':
      return count === 1 ? `added track ${quoted(first.trackName)}` : `added ${plural(count, 'track')}`
    case 'track-removed':
      return `removed track ${quoted(first.trackName)}`
    case 'track-renamed': {
      const to = last.kind === 'track-renamed' ? last.trackName : first.trackName
      return first.from === to ? null : `renamed track ${quoted(first.from)} → ${quoted(to)}`
    }
    case 'mixer': {
      const to = (last as typeof first).to
      if (first.from === to) return null
      return `changed ${MIXER_LABELS[first.field]} ${mixerValue(first.field, first.from)} → ${mixerValue(first.field, to)}`
    }
    case 'clip-added':
      return count === 1 ? `added ${clipName(first.clipName)}` : `added ${plural(count, 'clip')}`
    case 'clip-removed':
      return count === 1 ? `removed ${clipName(first.clipName)}` : `removed ${plural(count, 'clip')}`
    case 'clip-moved':
      return count === 1 ? `moved ${clipName(first.clipName)}` : `moved clips ${plural(count, 'time')}`
    case 'clip-resized':
      return count === 1 ? `resized ${clipName(first.clipName)}` : `resized clips ${plural(count, 'time')}`
    case 'clip-renamed': {
      const to = last.kind === 'clip-renamed' ? last.clipName : first.clipName
      return first.from === to ? null : `renamed ${clipName(first.from)} → ${quoted(to)}`
    }
    case 'notes': {
      const parts: string[] = []
      if (fold.added > 0) parts.push(`added ${plural(fold.added, 'note')}`)
      if (fold.removed > 0) parts.push(`removed ${plural(fold.removed, 'note')}`)
      if (fold.changed > 0) parts.push(`changed ${plural(fold.changed, 'note')}`)
      return `${parts.join(', ')} in ${clipName(last.kind === 'notes' ? last.clipName : first.clipName, 'an unnamed')}`
    }
    case 'effects': {
      const parts: string[] = []
      if (fold.added > 0) parts.push(`added ${plural(fold.added, 'effect')}`)
      if (fold.removed > 0) parts.push(`removed ${plural(fold.removed, 'effect')}`)
      if (fold.changed > 0) parts.push(`changed effects ${plural(fold.changed, 'time')}`)
      const where = first.trackId === MASTER ? ' on the master' : ''
      return parts.length === 0 ? null : `${parts.join(', ')}${where}`
    }
    case 'proposal-accepted':
      return `accepted ${first.pluginName}’s proposal`
    case 'proposal-discarded':
      return `discarded ${first.pluginName}’s proposal`
  }
}
