import { afterEach, describe, expect, it, vi } from 'vitest'
import { announce, FALLBACK_MS, nextChance, onAudioStored, resync } from './asset-arrivals'

const hash = (c: string) => c.repeat(64)

describe('asset arrivals', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('a waiter wakes on the notice for its own part and hash, not on another', async () => {
    vi.useFakeTimers()
    let woke = false
    void nextChance('peaks', hash('a')).then(() => {
      woke = true
    })
    announce('audio', hash('a'))
    announce('peaks', hash('b'))
    await Promise.resolve()
    expect(woke).toBe(false)
    announce('peaks', hash('a'))
    await Promise.resolve()
    expect(woke).toBe(true)
  })

  it('a resync wakes every waiter (notices sent while offline are lost); the fallback wakes one at last', async () => {
    vi.useFakeTimers()
    const woke: string[] = []
    void nextChance('peaks', hash('c')).then(() => woke.push('peaks'))
    void nextChance('audio', hash('d')).then(() => woke.push('audio'))
    resync()
    await Promise.resolve()
    expect(woke.sort()).toEqual(['audio', 'peaks'])

    let late = false
    void nextChance('audio', hash('e')).then(() => {
      late = true
    })
    await vi.advanceTimersByTimeAsync(FALLBACK_MS - 1)
    expect(late).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(late).toBe(true)
  })

  it('audio announced stored is told once per hash to those who load it', () => {
    const told: string[] = []
    const off = onAudioStored((h) => told.push(h))
    announce('audio', hash('f'))
    announce('audio', hash('f'))
    announce('peaks', hash('0'))
    off()
    announce('audio', hash('1'))
    expect(told).toEqual([hash('f')])
  })
})
