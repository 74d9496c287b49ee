/**
 * The Markdown subset comments and chat are written in, parsed to plain values that React renders as
 * elements (`studio/comments/rich-text.tsx`): nothing is ever HTML, so `<script>` in a comment is the text
 * "<script>". Paragraphs (blank lines), line breaks, **bold**, *italic* or _italic_, `code`, links
 * `[text](https://…)` and bare `https://…` addresses (http, https and mailto only; marked external), and
 * times in the song, "at 1:32", which the studio turns into a jump there. Browser-safe.
 */

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'em'; children: Inline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; children: Inline[] }
  /** "at 1:32": a time in the song, in seconds. */
  | { kind: 'time'; label: string; seconds: number }

/** A paragraph's lines, each a run of inlines. */
export type Paragraph = Inline[][]

const safeSchemes = ['http:', 'https:', 'mailto:']

/** The address as a browser would follow it, or null for anything but http, https and mailto. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw)
    return safeSchemes.includes(url.protocol) ? url.href : null
  } catch {
    return null
  }
}

export function parseMarkdown(source: string): Paragraph[] {
  return source
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter((block) => block.length > 0)
    .map((block) => block.split('\n').map((line) => parseInline(line, 0)))
}

// Order matters: code first (nothing inside it is markup), then links, then emphasis.
const tokens =
  /`([^`]+)`|\[([^\]]{1,200})\]\(([^)\s]{1,2000})\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])|\*\*(.+?)\*\*|(?<![\p{L}\p{N}])[*_](?![\s*_])(.+?)(?<!\s)[*_](?![\p{L}\p{N}])|\bat (\d{1,3}):([0-5]\d)\b/u

/** Emphasis nests at most this deep: a hostile comment of a thousand `**` cannot recurse far. */
const maxDepth = 4

function parseInline(text: string, depth: number): Inline[] {
  const out: Inline[] = []
  let rest = text
  while (rest.length > 0) {
    const m = depth < maxDepth ? tokens.exec(rest) : null
    if (m === null) {
      pushText(out, rest)
      break
    }
    if (m.index > 0) pushText(out, rest.slice(0, m.index))
    out.push(tokenOf(m, depth))
    rest = rest.slice(m.index + m[0].length)
  }
  return out
}

function tokenOf(m: RegExpExecArray, depth: number): Inline {
  const [whole, code, linkText, linkHref, bare, strong, em, minutes, seconds] = m
  if (code !== undefined) return { kind: 'code', text: code }
  if (linkText !== undefined && linkHref !== undefined) {
    const href = safeHref(linkHref)
    return href === null
      ? { kind: 'text', text: whole }
      : { kind: 'link', href, children: parseInline(linkText, depth + 1) }
  }
  if (bare !== undefined) {
    const href = safeHref(bare)
    return href === null
      ? { kind: 'text', text: bare }
      : { kind: 'link', href, children: [{ kind: 'text', text: bare }] }
  }
  if (strong !== undefined) return { kind: 'strong', children: parseInline(strong, depth + 1) }
  if (em !== undefined) return { kind: 'em', children: parseInline(em, depth + 1) }
  if (minutes !== undefined && seconds !== undefined)
    return { kind: 'time', label: whole, seconds: Number(minutes) * 60 + Number(seconds) }
  return { kind: 'text', text: whole }
}

function pushText(out: Inline[], text: string): void {
  const last = out[out.length - 1]
  if (last?.kind === 'text') last.text += text
  else out.push({ kind: 'text', text })
}
