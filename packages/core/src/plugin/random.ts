/*
 * The seeded random source a plugin gets. Math.random would make a suggestion impossible to reproduce from
 * its provenance; this generator gives the same sequence for the same seed on every engine.
 */

/** splitmix32: spreads a small or sequential seed over all 32 bits, so seeds 1 and 2 start far apart. */
function splitmix32(state: number): () => number {
  let s = state >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
    return (z ^ (z >>> 15)) >>> 0
  }
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counter): 128 bits of state, passes PractRand, only 32-bit integer
 * arithmetic, so every JavaScript engine computes exactly the same numbers. Returns floats in [0, 1).
 */
export function createRandom(seed: number, stream = 0): () => number {
  const mix = splitmix32((seed >>> 0) ^ Math.imul(stream >>> 0, 0x85ebca6b))
  let a = mix()
  let b = mix()
  let c = mix()
  let d = mix()
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t / 4294967296
  }
  // The first outputs of a freshly seeded sfc32 are weakly mixed; its author discards a dozen.
  for (let i = 0; i < 12; i++) next()
  return next
}
