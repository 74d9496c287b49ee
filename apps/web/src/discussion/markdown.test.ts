import { describe, expect, it } from 'vitest'
import { parseMarkdown, safeHref } from './markdown'
import { findMentions, mentionAt } from './mentions'

describe('comment markdown', () => {
  it('keeps HTML and script as text', () => {
    const [para] = parseMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>')
    expect(para).toEqual([[{ kind: 'text', text: '<script>alert(1)</script> <img src=x onerror=alert(1)>' }]])
  })

  it('parses the subset', () => {
    expect(parseMarkdown('**loud** and *soft* `code` at 1:32\nnext')).toEqual([
      [
        [
          { kind: 'strong', children: [{ kind: 'text', text: 'loud' }] },
          { kind: 'text', text: ' and ' },
          { kind: 'em', children: [{ kind: 'text', text: 'soft' }] },
          { kind: 'text', text: ' ' },
          { kind: 'code', text: 'code' },
          { kind: 'text', text: ' ' },
          { kind: 'time', label: 'at 1:32', seconds: 92 },
        ],
        [{ kind: 'text', text: 'next' }],
      ],
    ])
  })

  it('links only http, https and mailto', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull()
    expect(safeHref('data:text/html,<b>')).toBeNull()
    const line = parseMarkdown('[x](javascript:alert(1)) see https://example.com/a.')[0]?.[0]
    expect(line?.[0]).toEqual({ kind: 'text', text: '[x](javascript:alert(1)) see ' })
    expect(line?.[1]).toEqual({
      kind: 'link',
      href: 'https://example.com/a',
      children: [{ kind: 'text', text: 'https://example.com/a' }],
    })
  })

  it('a long hostile body parses without deep recursion', () => {
    const body = '**'.repeat(2000) + '_'.repeat(2000)
    expect(() => parseMarkdown(body)).not.toThrow()
  })
})

describe('mentions', () => {
  const members = [
    { userId: 'a', name: 'Sam' },
    { userId: 'b', name: 'Sam Lee' },
    { userId: 'c', name: 'Ana' },
  ]
  it('matches whole member names, longest first', () => {
    expect(findMentions('hey @sam lee and @Ana!', members).sort()).toEqual(['b', 'c'])
    expect(findMentions('@Sam, look', members)).toEqual(['a'])
    expect(findMentions('@Samuel and mail@anahost', members)).toEqual([])
  })
  it('finds the word being typed', () => {
    expect(mentionAt('hi @Sa', 6)).toEqual({ start: 3, query: 'Sa' })
    expect(mentionAt('mail@x', 6)).toBeNull()
  })
})
