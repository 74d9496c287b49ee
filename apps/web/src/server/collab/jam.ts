import { MessageType } from '../../wire/collab'
import {
  encodeClockPong,
  encodeJamNote,
  encodeJamState,
  JamBounds,
  type JamNote,
  type JamState,
} from '../../wire/jam'
import type { Connection } from './connection'

/**
 * A room's live jam (docs/PROTOCOL.md "Live jam"): the clock the members synchronise with, the jam's state
 * (who started it, from which bar, at which server time) and the relay of live notes. Nothing here is
 * stored: a note is sent on to the room's other `jam=1` connections (viewers included: they listen) and to
 * the room's replicas on other instances, then forgotten. Viewers may probe the clock but neither start a
 * jam nor play into it; what they try is dropped and counted, the connection stays.
 */

/**
 * The server's clock for jams: epoch milliseconds with sub-millisecond resolution. Epoch based (not the
 * process's monotonic clock) so that instances of one room agree on the jam's start time.
 */
export const serverClock = (): number => performance.timeOrigin + performance.now()

/** Where a room's jam frames go besides its own connections: its replicas on other instances. */
export type JamPublisher = (frame: Uint8Array) => void

export type JamMessage =
  | { kind: 'clock-ping'; id: number; clientSent: number }
  | { kind: 'jam-state'; state: JamState }
  | { kind: 'jam-note'; note: JamNote }

export class RoomJam {
  private current: JamState = { running: false }
  /** Jam commands or notes from viewers, or from connections that did not ask for the jam; dropped. */
  dropped = 0
  /** Notes relayed from this instance's own connections. */
  relayed = 0
  publish: JamPublisher | null = null

  constructor(
    private readonly connections: ReadonlySet<Connection>,
    private readonly now: () => number = serverClock,
  ) {}

  get state(): JamState {
    return this.current
  }

  /** A joining `jam=1` connection learns the jam in progress, if any. */
  join(conn: Connection): void {
    if (conn.wantsJam && this.current.running) conn.send(encodeJamState(this.current))
  }

  handle(conn: Connection, message: JamMessage): void {
    if (message.kind === 'clock-ping') {
      const received = this.now()
      if (!conn.wantsJam) return void this.dropped++
      conn.send(
        encodeClockPong({
          id: message.id,
          clientSent: message.clientSent,
          serverReceived: received,
          serverSent: this.now(),
        }),
      )
      return
    }
    if (!conn.wantsJam || !conn.canWrite) return void this.dropped++
    if (message.kind === 'jam-state') {
      const { state } = message
      if (state.running && Math.abs(state.startAt - this.now()) > JamBounds.maxStartLeadMs)
        return void this.dropped++
      this.current = state.running ? { ...state, by: { id: conn.userId, name: conn.userName } } : state
      // Everyone, the starter included: its echo is its confirmation and carries the server's `by`.
      this.deliver(encodeJamState(this.current), null, true)
      return
    }
    this.relayed++
    const frame = encodeJamNote({ ...message.note, player: { id: conn.userId, name: conn.userName } })
    this.deliver(frame, conn, true)
  }

  /** A frame from a replica on another instance: already checked there; this one keeps the state and sends on. */
  applyReplica(frame: Uint8Array, state: JamState | null): void {
    if (frame[0] === MessageType.jamState && state !== null) this.current = state
    this.deliver(frame, null, false)
  }

  private deliver(frame: Uint8Array, except: Connection | null, publish: boolean): void {
    for (const c of this.connections) if (c !== except && c.wantsJam) c.send(frame)
    if (publish) this.publish?.(frame)
  }
}
