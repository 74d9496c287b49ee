/** A person as a round badge of their initials, in a colour their id always gets. */

/** Two letters: the first of each of the first two words, or a one-word name's first two ("AL"). */
const initials = (name: string): string => {
  const words = name.split(/\s+/).filter(Boolean)
  const letters =
    words.length > 1 ? `${words[0]?.[0] ?? ''}${words[1]?.[0] ?? ''}` : (words[0] ?? '').slice(0, 2)
  return letters.toUpperCase() || '?'
}

const hue = (id: string): number => {
  let h = 0
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 360
  return h
}

export function Avatar({ id, name, title }: { id: string; name: string; title?: string }) {
  return (
    <span
      className="avatar"
      title={title ?? name}
      data-testid="member-avatar"
      style={{ background: `hsl(${hue(id)} 55% 42%)` }}
    >
      {initials(name)}
    </span>
  )
}
