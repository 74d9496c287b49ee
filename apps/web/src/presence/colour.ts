/*
 * A person's presence colour: derived from their user id, so it is the same in every browser, on every
 * device and across sessions without anyone storing it. The collab server stamps it into each awareness
 * state beside the verified id and name (collab/room.ts), so a client cannot pose in someone else's colour;
 * the studio uses the same function for its own state and for marks it draws (AI proposals by requester).
 */

const PRESENCE_COLOURS = [
  '#f87171',
  '#fbbf24',
  '#34d399',
  '#60a5fa',
  '#a78bfa',
  '#f472b6',
  '#2dd4bf',
  '#fb923c',
]

export function presenceColour(userId: string): string {
  let hash = 0
  for (const ch of userId) hash = (hash * 31 + ch.charCodeAt(0)) | 0
  return PRESENCE_COLOURS[Math.abs(hash) % PRESENCE_COLOURS.length]!
}
