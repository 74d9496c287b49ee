import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as Y from 'yjs'

/**
 * A load-generating client that speaks the y-websocket protocol without integrating other clients'
 * updates: it edits its own small doc and only parses the headers of what it receives. A hundred
 * full `WebsocketProvider`s in one process would measure the bench process (each applies every
 * update), not the server; these measure the server.
 */
export interface ProtocolClientEvents {
  /** Another client's edits arrived: their client id and the clock range (from, to]. */
  onRemote(client: number, from: number, to: number): void
  /** The server's "saved" message for our own client id. */
  onSaved(clock: number): void
}

const SYNC = 0
const STEP1 = 0
const STEP2 = 1
const UPDATE = 2
const SAVED = 100

export class ProtocolClient {
  readonly doc = new Y.Doc()
  private readonly socket: WebSocket
  readonly ready: Promise<void>

  constructor(url: string, events: ProtocolClientEvents) {
    this.socket = new WebSocket(url)
    this.socket.binaryType = 'nodebuffer'
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('error', reject)
      this.socket.once('open', () => {
        this.send(SYNC, (e) => {
          encoding.writeVarUint(e, STEP1)
          encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()))
        })
        resolve()
      })
    })
    this.socket.on('message', (data: Buffer) => this.receive(new Uint8Array(data), events))
  }

  get clientID(): number {
    return this.doc.clientID
  }

  /** One edit: a new key in a shared map. Returns the clock after it (what "saved" must reach). */
  edit(key: string, value: number): number {
    const before = Y.encodeStateVector(this.doc)
    this.doc.getMap<number>('bench').set(key, value)
    const update = Y.encodeStateAsUpdate(this.doc, before)
    this.send(SYNC, (e) => {
      encoding.writeVarUint(e, UPDATE)
      encoding.writeVarUint8Array(e, update)
    })
    return Y.getState(this.doc.store, this.doc.clientID)
  }

  close(): void {
    this.socket.close()
  }

  private send(type: number, write: (e: encoding.Encoder) => void): void {
    if (this.socket.readyState !== WebSocket.OPEN) return
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, type)
    write(e)
    this.socket.send(encoding.toUint8Array(e))
  }

  private receive(frame: Uint8Array, events: ProtocolClientEvents): void {
    const d = decoding.createDecoder(frame)
    const type = decoding.readVarUint(d)
    if (type === SAVED) {
      const n = decoding.readVarUint(d)
      for (let i = 0; i < n; i++) {
        const client = decoding.readVarUint(d)
        const clock = decoding.readVarUint(d)
        if (client === this.doc.clientID) events.onSaved(clock)
      }
      return
    }
    if (type !== SYNC) return
    const sub = decoding.readVarUint(d)
    const payload = decoding.readVarUint8Array(d)
    if (sub === STEP1) {
      // The server asks what we have that it lacks: our own edits, if any.
      this.send(SYNC, (e) => {
        encoding.writeVarUint(e, STEP2)
        encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(this.doc, payload))
      })
      return
    }
    if (sub !== STEP2 && sub !== UPDATE) return
    const meta = Y.parseUpdateMeta(payload)
    for (const [client, to] of meta.to) {
      if (client === this.doc.clientID) continue
      events.onRemote(client, meta.from.get(client) ?? 0, to)
    }
  }
}
