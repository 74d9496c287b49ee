/**
 * `@name` mentions. Display names may hold spaces ("@Sam Lee"), so a body is matched against the song's
 * members' names rather than split into words: a mention is `@` + a member's name, any case, not followed
 * by a letter or digit. The longest name wins where one name starts another ("@Sam" and "@Sam Lee").
 */
export interface Mentionable {
  userId: string
  name: string
}

export function findMentions(body: string, members: readonly Mentionable[]): string[] {
  const lower = body.toLowerCase()
  const byLength = [...members].filter((m) => m.name.length > 0).sort((a, b) => b.name.length - a.name.length)
  const found = new Set<string>()
  let at = lower.indexOf('@')
  while (at !== -1) {
    for (const m of byLength) {
      const name = m.name.toLowerCase()
      if (!lower.startsWith(name, at + 1)) continue
      const next = lower.charAt(at + 1 + name.length)
      if (next !== '' && /[\p{L}\p{N}_]/u.test(next)) continue
      found.add(m.userId)
      break
    }
    at = lower.indexOf('@', at + 1)
  }
  return [...found]
}

/** The `@` word being typed at `caret`, for the autocomplete: its start and the text after `@`. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret)
  const match = /(^|\s)@([^\s@]{0,40})$/u.exec(before)
  if (match === null) return null
  const query = match[2] ?? ''
  return { start: caret - query.length - 1, query }
}
