import type { Provenance } from '@ensemble/core'

/** `sha256:0123abcd…` → `0123abcd`: enough to tell two models apart at a glance. */
export const shortHash = (hash: string): string => {
  const hex = hash.includes(':') ? hash.slice(hash.indexOf(':') + 1) : hash
  return hex.slice(0, 8)
}

/** The provenance of an AI-made note as lines for the inspector and the tooltip. */
export function describeProvenance(p: Provenance, nameOf: (userId: string) => string): string[] {
  return [
    `Plugin ${p.pluginId} ${p.pluginVersion}`,
    `Model ${shortHash(p.modelHash)} · seed ${p.seed}`,
    `Asked by ${nameOf(p.requestedBy)} · accepted by ${nameOf(p.acceptedBy)}`,
  ]
}
