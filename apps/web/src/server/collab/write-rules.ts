import { createHmac, timingSafeEqual } from 'node:crypto'
import { type AiRun, type ClientWriteRefusal, clientWriteRefusal, ProvenanceSchema } from '@ensemble/core'
import type * as Y from 'yjs'

/*
 * What the server alone writes into a song: proposals (ai.suggest writes them into the room) and the
 * provenance of AI-made notes. Each run the server makes is sealed: an HMAC over the run's fields under a
 * key derived from COLLAB_SECRET, which every instance shares, so any instance can check any run. Accepting
 * a proposal stays a client's operation (its undo must take the acceptance back, and Y.UndoManager only
 * undoes the tab's own transactions): the notes copy the proposal's sealed run, and the room lets them in
 * because the seal checks. A client that writes into the proposals map, or a note with provenance whose
 * seal does not check (forged, or edited after sealing), is refused before anyone else sees the update
 * (core's `clientWriteRefusal` decides from the update itself).
 *
 * The seal covers the run, not `acceptedBy`: who accepted is the accepting client's word, as any edit is.
 */

/** The run's fields in a fixed order: what the seal signs. */
const signed = (run: Omit<AiRun, 'seal'>): string =>
  JSON.stringify([
    run.pluginId,
    run.pluginVersion,
    run.modelHash,
    run.seed,
    run.requestedBy,
    run.runId ?? null,
  ])

export class WriteRules {
  private readonly key: Buffer

  constructor(secret: string) {
    // A key of its own, so a seal is never a room token's signature or the other way round.
    this.key = createHmac('sha256', secret).update('ensemble: AI run seal').digest()
  }

  private mac(run: Omit<AiRun, 'seal'>): Buffer {
    return createHmac('sha256', this.key).update(signed(run)).digest()
  }

  /** The run with the server's seal: what a proposal carries and its accepted notes copy. */
  seal(run: AiRun): AiRun {
    const { seal: _ignored, ...fields } = run
    return { ...fields, seal: this.mac(fields).toString('base64url') }
  }

  /** Whether provenance as a client wrote it carries a valid seal over its own run fields. */
  sealed(provenance: unknown): boolean {
    const parsed = ProvenanceSchema.safeParse(provenance)
    if (!parsed.success || parsed.data.seal === undefined) return false
    const given = Buffer.from(parsed.data.seal, 'base64url')
    const expected = this.mac(parsed.data)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  /** Why the room must refuse a client's update, or null (see the module comment). */
  refusal(doc: Y.Doc, update: Uint8Array): ClientWriteRefusal {
    // Notes of one run share their provenance: each distinct one is checked once per update.
    const checked = new Map<string, boolean>()
    return clientWriteRefusal(doc, update, (provenance) => {
      const key = JSON.stringify(provenance)
      let ok = checked.get(key)
      if (ok === undefined) {
        ok = this.sealed(provenance)
        checked.set(key, ok)
      }
      return ok
    })
  }
}
