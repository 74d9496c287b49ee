import { describe, expect, it } from 'vitest'
import { createRandom } from './random'

const take = (next: () => number, n: number) => Array.from({ length: n }, next)

describe('createRandom', () => {
  it('repeats the same sequence for the same seed and stream', () => {
    expect(take(createRandom(7), 100)).toEqual(take(createRandom(7), 100))
    expect(take(createRandom(7, 3), 10)).toEqual(take(createRandom(7, 3), 10))
  })

  it('pins the sequence, so a change of algorithm cannot silently change every stored suggestion', () => {
    expect(take(createRandom(0), 3).map((x) => Math.round(x * 1e9))).toMatchInlineSnapshot(`
      [
        127634007,
        255453061,
        516720452,
      ]
    `)
  })

  it('separates neighbouring seeds and streams', () => {
    expect(take(createRandom(1), 5)).not.toEqual(take(createRandom(2), 5))
    expect(take(createRandom(1, 0), 5)).not.toEqual(take(createRandom(1, 1), 5))
  })

  it('stays in [0, 1) and spreads evenly', () => {
    const values = take(createRandom(123), 20_000)
    expect(values.every((x) => x >= 0 && x < 1)).toBe(true)
    const buckets = new Array(10).fill(0)
    for (const x of values) buckets[Math.floor(x * 10)]++
    for (const count of buckets) expect(count).toBeGreaterThan(1800)
  })
})
