/*
 * What a client may not write into a shared song: proposals, AI provenance the server did not sign, audio
 * asset records that are not valid or that change a stored one (see `assetWriteRefused`), and effects,
 * routing, automation or preset entries that no operation could have written (see effect-writes.ts).
 *
 * The server writes every proposal (`addProposal` under the AI proposal origin) once the inference service
 * has answered, and signs each run it makes (ProvenanceSchema.seal). A client that writes into the
 * `proposals` map, or a note whose provenance carries no valid seal, is forging what a plugin made; the
 * collaboration server refuses such an update before anyone else sees it, as it refuses a viewer's.
 * Deleting a proposal stays a client's right (dismissing, and accepting, which deletes it in the same
 * transaction as it writes the notes).
 *
 * Decided from the update alone plus lookups in the server's doc, never by applying it to a copy:
 * `Y.decodeUpdate` gives every struct the update inserts. A struct names its parent only when it has no
 * neighbour on its left or right; otherwise (a map key set again, a value inserted beside another) the
 * parent is its neighbour's, found in the same update or in the doc. A neighbour found in neither (the
 * update depends on content the server does not have) cannot be checked and is refused.
 */
import * as Y from 'yjs'
import { EFFECT_ROOTS, type EntryWrite, effectWritesAllowed } from './effect-writes'
import { type AiRun, SystemOrigin } from './origins'
import { PROPOSALS, readProposals } from './proposals'
import { type AudioAsset, AudioAssetSchema, type Note } from './schema'
import { ASSETS, assetsMap, clipsOf, commit, notesOf, tracksMap } from './ydoc'

/** Why a client's update was refused; null when it may be applied. */
export type ClientWriteRefusal = 'proposal' | 'provenance' | 'asset' | 'effect' | 'unknown_parent' | null

/** Whether a note's provenance, as a client wrote it, carries the server's seal over its run. */
export type ProvenanceCheck = (provenance: unknown) => boolean

type Decoded = ReturnType<typeof Y.decodeUpdate>['structs'][number]
type ID = { client: number; clock: number }

/** Where an inserted struct's parent is: the proposals or assets map, elsewhere, or not known to the server. */
type Parent = 'proposals' | 'assets' | 'other' | 'unknown'

/** The facts of an audio asset that its hash fixes (its name is only what someone called the file). */
const assetFacts = (asset: AudioAsset) =>
  [asset.format, asset.sampleRate, asset.channels, asset.frames, asset.durationSeconds].join()

/**
 * Asset records are immutable: a client may add one (a valid record under its own hash), or write the same
 * facts again (two bandmates importing one file at once), but never change what a stored record says.
 */
const assetWriteRefused = (doc: Y.Doc, item: Y.Item, key: string | null): boolean => {
  const values = plainValues(item)
  if (key === null || values.length !== 1) return true
  const parsed = AudioAssetSchema.safeParse(values[0])
  if (!parsed.success || parsed.data.hash !== key) return true
  const stored = AudioAssetSchema.safeParse(
    doc.share.get(ASSETS) instanceof Y.Map ? assetsMap(doc).get(key) : undefined,
  )
  return stored.success && assetFacts(stored.data) !== assetFacts(parsed.data)
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The values an item holds that a client could have given a `provenance` (notes are plain JSON values). */
const plainValues = (item: Y.Item): readonly unknown[] => {
  const content: unknown = item.content
  if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) return content.arr
  return []
}

export const clientWriteRefusal = (
  doc: Y.Doc,
  update: Uint8Array,
  provenanceSealed: ProvenanceCheck,
): ClientWriteRefusal => {
  const { structs } = Y.decodeUpdate(update)
  const items = structs.filter((s): s is Y.Item => s instanceof Y.Item)
  for (const item of items) {
    for (const value of plainValues(item)) {
      if (isRecord(value) && value.provenance !== undefined && !provenanceSealed(value.provenance))
        return 'provenance'
    }
  }
  const proposals = doc.share.get(PROPOSALS) ?? null
  const assets = doc.share.get(ASSETS) ?? null
  // decodeUpdate lists each client's structs in clock order: a binary search finds the one holding a clock.
  const byClient = new Map<number, Y.Item[]>()
  for (const item of items) {
    const list = byClient.get(item.id.client)
    if (list === undefined) byClient.set(item.id.client, [item])
    else list.push(item)
  }
  const inUpdate = (id: ID): Y.Item | undefined => {
    const list = byClient.get(id.client) ?? []
    let low = 0
    let high = list.length - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      const s = list[mid]!
      if (id.clock < s.id.clock) high = mid - 1
      else if (id.clock >= s.id.clock + s.length) low = mid + 1
      else return s
    }
    return undefined
  }

  /**
   * The item that says where `item` sits: itself when the update names its parent, else its neighbour's,
   * found in the same update or in the doc ('unknown' when in neither; 'other' for a neighbour the doc has
   * collected, which no map's value is any more). With it comes the map key.
   */
  const placedBy = (item: Y.Item, depth: number): Y.Item | 'unknown' | 'other' => {
    if (item.parent !== null) return item
    const neighbour = item.origin ?? item.rightOrigin
    // Chains of neighbours within one update are as long as the update; the doc ends them.
    if (neighbour === null || depth > items.length) return 'unknown'
    const sibling = inUpdate(neighbour)
    if (sibling !== undefined) return placedBy(sibling, depth + 1)
    if (neighbour.clock >= Y.getState(doc.store, neighbour.client)) return 'unknown'
    const known: Decoded = Y.getItem(doc.store, Y.createID(neighbour.client, neighbour.clock))
    return known instanceof Y.Item ? known : 'other'
  }

  const parentOf = (placed: Y.Item): Parent => {
    const parent: unknown = placed.parent
    if (typeof parent === 'string')
      return parent === PROPOSALS ? 'proposals' : parent === ASSETS ? 'assets' : 'other'
    // Under a nested type (the proposals and assets maps hold plain values only), or a doc item's own type.
    if (proposals !== null && parent === proposals) return 'proposals'
    if (assets !== null && parent === assets) return 'assets'
    return 'other'
  }

  /** The item that holds a nested type, found by the id an update names it by, or the type a doc item has. */
  const holderOf = (parent: unknown): Y.Item | 'unknown' | 'root' => {
    if (parent instanceof Y.AbstractType) return parent._item ?? 'root'
    const id = parent as ID
    const inThis = inUpdate(id)
    if (inThis !== undefined) return inThis
    if (id.clock >= Y.getState(doc.store, id.client)) return 'unknown'
    const known: Decoded = Y.getItem(doc.store, Y.createID(id.client, id.clock))
    return known instanceof Y.Item ? known : 'unknown'
  }
  const rootName = (type: unknown): string | null => {
    for (const [name, shared] of doc.share) if (shared === type) return name
    return null
  }

  /** The keys from the doc's root to where `item` sits (root map name first), or null when not known. */
  const pathOf = (item: Y.Item, depth: number): string[] | null => {
    const placed = placedBy(item, 0)
    if (placed === 'unknown' || placed === 'other' || depth > 8) return null
    const key = placed.parentSub
    if (key === null) return null
    const parent: unknown = placed.parent
    if (typeof parent === 'string') return [parent, key]
    const holder = holderOf(parent)
    if (holder === 'unknown') return null
    if (holder === 'root') {
      const name = rootName(parent)
      return name === null ? null : [name, key]
    }
    const above = pathOf(holder, depth + 1)
    return above === null ? null : [...above, key]
  }

  const effectWrites: EntryWrite[] = []
  for (const item of items) {
    const placed = placedBy(item, 0)
    if (placed === 'unknown') return 'unknown_parent'
    if (placed === 'other') continue
    const parent = parentOf(placed)
    if (parent === 'proposals') return 'proposal'
    if (parent === 'assets' && assetWriteRefused(doc, item, placed.parentSub)) return 'asset'
    const path = pathOf(item, 0)
    if (path !== null && EFFECT_ROOTS.has(path[0]!)) {
      const values = plainValues(item)
      if (item.content instanceof Y.ContentType) effectWrites.push({ path, value: 'type' })
      else if (values.length === 1) effectWrites.push({ path, value: values[0] })
      // A value overwritten within the update arrives as deleted content: nothing of it is written.
      else if (!(item.content instanceof Y.ContentDeleted)) return 'effect'
    }
  }
  if (effectWrites.length > 0 && !effectWritesAllowed(doc, effectWrites)) return 'effect'
  return null
}

/** The origin of `sealLegacyRuns`: the server's housekeeping, nobody's edit and nobody's undo. */
export const SEAL_ORIGIN = new SystemOrigin('seal AI runs written before the server sealed them')

/**
 * Songs made before the server sealed its runs hold notes and open proposals whose run has no seal; a client
 * that moved such a note, or accepted such a proposal, would be refused. The server calls this on loading a
 * room: each unsealed run gets the seal `seal` gives it (the notes and proposals keep every other field), in
 * one transaction. A run's seal then vouches for what the song already said, as before. Returns how many
 * notes and proposals it rewrote; a song without unsealed runs is read and left alone.
 */
export const sealLegacyRuns = (doc: Y.Doc, seal: (run: AiRun) => AiRun): number => {
  const notes: { map: Y.Map<Note>; note: Note }[] = []
  for (const track of tracksMap(doc).values()) {
    const clips = clipsOf(track)
    if (!(clips instanceof Y.Map)) continue
    for (const clip of clips.values()) {
      const map = notesOf(clip)
      if (!(map instanceof Y.Map)) continue
      for (const note of map.values())
        if (note?.provenance !== undefined && note.provenance.seal === undefined) notes.push({ map, note })
    }
  }
  const proposals = readProposals(doc).filter((p) => p.run.seal === undefined)
  if (notes.length + proposals.length === 0) return 0
  commit(doc, SEAL_ORIGIN, () => {
    for (const { map, note } of notes) {
      const { acceptedBy, ...run } = note.provenance!
      map.set(note.id, { ...note, provenance: { ...seal(run), acceptedBy } })
    }
    const open = doc.getMap<unknown>(PROPOSALS)
    for (const p of proposals) open.set(p.id, { ...p, run: seal(p.run) })
  })
  return notes.length + proposals.length
}
