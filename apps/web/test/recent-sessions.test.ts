import { describe, expect, it } from 'vitest'
import { RecentSessions } from '../src/server/auth/recent-sessions'

const alice = { id: 'u1', email: 'alice@example.test', name: 'Alice' }

describe('RecentSessions', () => {
  it('trusts a verified session for its few seconds only, and never once forgotten', () => {
    let now = 1_000
    const recent = new RecentSessions(5000, 10, () => now)
    expect(recent.get('cookie')).toBeUndefined()
    recent.remember('cookie', alice)
    now += 4999
    expect(recent.get('cookie')).toEqual(alice)
    now += 1
    expect(recent.get('cookie')).toBeUndefined()

    recent.remember('cookie', alice)
    recent.forget('cookie')
    expect(recent.get('cookie')).toBeUndefined()
  })

  it('keeps at most its bound, dropping the oldest first', () => {
    const recent = new RecentSessions(5000, 2, () => 0)
    recent.remember('a', alice)
    recent.remember('b', alice)
    recent.remember('c', alice)
    expect([recent.get('a'), recent.get('b'), recent.get('c')]).toEqual([undefined, alice, alice])
  })

  it('remembers nothing with no time to trust', () => {
    const recent = new RecentSessions(0, 10, () => 0)
    recent.remember('a', alice)
    expect(recent.get('a')).toBeUndefined()
  })
})
