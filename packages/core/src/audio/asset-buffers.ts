/*
 * Where the engine and the renderer get audio clips' audio: decoded buffers by asset hash. The song only
 * names assets; the studio fetches and decodes them (streamed from the server, cached by hash) and hands
 * them over here. A clip whose audio has not arrived is silent until it does.
 */

/** Decoded audio by asset hash, as the engine and the renderer read it. */
export interface AssetBuffers {
  /** The buffer, when it has arrived. */
  get(hash: string): AudioBuffer | undefined
  /** Starts loading a hash (once) and resolves with its buffer; rejects when it cannot be had. */
  load(hash: string): Promise<AudioBuffer>
  /** Told each hash whose buffer arrives; returns an unsubscribe function. */
  onLoaded(listener: (hash: string) => void): () => void
}

/** Fetches and decodes one asset; the studio's goes to the server (and its cache), tests make buffers. */
export type AssetLoader = (hash: string) => Promise<AudioBuffer>

/**
 * The usual AssetBuffers: loads each hash once through `loader`, keeps what arrived, and lets a buffer be
 * put in directly (the recorder's own take, decoded already, before its upload finishes). A failed load
 * is forgotten, so the next `load` tries again.
 */
export class AssetBufferCache implements AssetBuffers {
  readonly #loader: AssetLoader | null
  readonly #buffers = new Map<string, AudioBuffer>()
  readonly #loading = new Map<string, Promise<AudioBuffer>>()
  readonly #listeners = new Set<(hash: string) => void>()

  constructor(loader: AssetLoader | null = null) {
    this.#loader = loader
  }

  get(hash: string): AudioBuffer | undefined {
    return this.#buffers.get(hash)
  }

  set(hash: string, buffer: AudioBuffer): void {
    this.#buffers.set(hash, buffer)
    for (const listener of [...this.#listeners]) listener(hash)
  }

  load(hash: string): Promise<AudioBuffer> {
    const have = this.#buffers.get(hash)
    if (have !== undefined) return Promise.resolve(have)
    const pending = this.#loading.get(hash)
    if (pending !== undefined) return pending
    if (this.#loader === null) return Promise.reject(new Error(`No audio for asset ${hash}`))
    const loading = this.#loader(hash).then(
      (buffer) => {
        this.#loading.delete(hash)
        this.set(hash, buffer)
        return buffer
      },
      (error: unknown) => {
        this.#loading.delete(hash)
        throw error
      },
    )
    this.#loading.set(hash, loading)
    return loading
  }

  onLoaded(listener: (hash: string) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
