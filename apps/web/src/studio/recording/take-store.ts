import { z } from 'zod'

/*
 * Takes on their way to the song, kept in IndexedDB as they are recorded: a take's description first,
 * then every chunk the capture worklet sends, each in its own transaction. A reload or a crash in the
 * middle of a take loses at most the chunk in flight (100 ms); on the next open the studio offers the
 * unfinished take back (`unfinished`). A take is deleted once it is in the song and its upload is done.
 *
 * Raw IndexedDB: four requests, not worth a dependency.
 */

const DB_NAME = 'ensemble-takes'
const DB_VERSION = 1
const TAKES = 'takes'
const CHUNKS = 'chunks'

/** What is needed to place a take on the timeline, without the transport that recorded it. */
export const TakeMetaSchema = z.strictObject({
  id: z.string().min(1).max(64),
  projectId: z.string().min(1).max(128),
  trackId: z.string().min(1).max(64),
  userId: z.string().min(1).max(128),
  /** ISO time the take started. */
  startedAt: z.string().max(40),
  sampleRate: z.int().min(8_000).max(384_000),
  channels: z.int().min(1).max(2),
  inputLabel: z.string().max(200),
  /** The round trip (ms) the take is moved earlier by. */
  latencyMs: z.number().min(0).max(2_000),
  /** One point of the song clock: the tick sounding at an audio-clock time, and the tempo from there on. */
  anchor: z.strictObject({ time: z.number(), tick: z.number(), bpm: z.number().positive() }),
  /** The part of the timeline that becomes the clip: from the record start (or punch in) to the punch out. */
  keep: z.strictObject({ fromTick: z.number().min(0), toTick: z.number().min(0).nullable() }),
  /** The take group this pass joins (a pass over the same region as an earlier one), or null for a new one. */
  takeGroupId: z.string().max(64).nullable(),
  /**
   * 'recording' until the take is stopped; 'uploading' once its clip is in the song and only its audio is
   * still on its way (the studio resumes that by itself, and `asset` is the hash the clip names).
   */
  stage: z.enum(['recording', 'uploading']),
  asset: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
})
export type TakeMeta = z.infer<typeof TakeMetaSchema>

export interface TakeChunk {
  readonly seq: number
  /** The audio clock's frame of the chunk's first sample. */
  readonly frame: number
  readonly channels: readonly Float32Array[]
}

interface StoredChunk {
  takeId: string
  seq: number
  frame: number
  channels: Float32Array[]
}

const done = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })

const committed = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new Error('The take store aborted a write'))
  })

export interface TakeStore {
  begin(meta: TakeMeta): Promise<void>
  /** Resolves once the chunk is on disk. */
  append(takeId: string, chunk: TakeChunk): Promise<void>
  read(takeId: string): Promise<{ meta: TakeMeta; chunks: TakeChunk[] } | null>
  /** Takes of this project still in the store, oldest first (a crash, a reload, or an upload not finished). */
  unfinished(projectId: string): Promise<TakeMeta[]>
  remove(takeId: string): Promise<void>
  close(): void
}

export async function openTakeStore(): Promise<TakeStore> {
  const request = indexedDB.open(DB_NAME, DB_VERSION)
  request.onupgradeneeded = () => {
    const db = request.result
    if (!db.objectStoreNames.contains(TAKES)) db.createObjectStore(TAKES, { keyPath: 'id' })
    if (!db.objectStoreNames.contains(CHUNKS)) db.createObjectStore(CHUNKS, { keyPath: ['takeId', 'seq'] })
  }
  const db = await done(request)
  const range = (takeId: string) => IDBKeyRange.bound([takeId, 0], [takeId, Number.MAX_SAFE_INTEGER])
  return {
    async begin(meta) {
      const tx = db.transaction(TAKES, 'readwrite')
      tx.objectStore(TAKES).put(TakeMetaSchema.parse(meta))
      await committed(tx)
    },
    async append(takeId, chunk) {
      const tx = db.transaction(CHUNKS, 'readwrite')
      const stored: StoredChunk = {
        takeId,
        seq: chunk.seq,
        frame: chunk.frame,
        channels: [...chunk.channels],
      }
      tx.objectStore(CHUNKS).put(stored)
      await committed(tx)
    },
    async read(takeId) {
      const tx = db.transaction([TAKES, CHUNKS], 'readonly')
      const [raw, chunks] = await Promise.all([
        done(tx.objectStore(TAKES).get(takeId)),
        done(tx.objectStore(CHUNKS).getAll(range(takeId))) as Promise<StoredChunk[]>,
      ])
      const meta = TakeMetaSchema.safeParse(raw)
      if (!meta.success) return null
      return {
        meta: meta.data,
        chunks: chunks
          .filter((c) => Array.isArray(c.channels) && c.channels.every((x) => x instanceof Float32Array))
          .map((c) => ({ seq: c.seq, frame: c.frame, channels: c.channels })),
      }
    },
    async unfinished(projectId) {
      const tx = db.transaction(TAKES, 'readonly')
      const all = (await done(tx.objectStore(TAKES).getAll())) as unknown[]
      return all
        .map((raw) => TakeMetaSchema.safeParse(raw))
        .flatMap((r) => (r.success && r.data.projectId === projectId ? [r.data] : []))
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    },
    async remove(takeId) {
      const tx = db.transaction([TAKES, CHUNKS], 'readwrite')
      tx.objectStore(CHUNKS).delete(range(takeId))
      tx.objectStore(TAKES).delete(takeId)
      await committed(tx)
    },
    close: () => db.close(),
  }
}

let opened: Promise<TakeStore> | null = null

/** This page's take store, opened on first use. */
export function takeStore(): Promise<TakeStore> {
  opened ??= openTakeStore().catch((err: unknown) => {
    opened = null
    throw err
  })
  return opened
}
