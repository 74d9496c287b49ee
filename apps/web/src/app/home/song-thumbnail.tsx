'use client'

import { useEffect, useState } from 'react'
import { api } from '../../client/api/client'

type Outline = Awaited<ReturnType<typeof api.projects.outline.query>>

const WIDTH = 240
const HEIGHT = 72
/** A thumbnail shows at least this many bars, so a one-bar sketch does not fill the card. */
const MIN_BARS = 8

/**
 * A small picture of a song's arrangement: each track a row, each clip a block in the track's colour,
 * bar lines behind. Drawn from the server's outline of the song (projects.outline).
 */
export function SongThumbnail({ projectId, name }: { projectId: string; name: string }) {
  const [outline, setOutline] = useState<Outline | null>(null)
  useEffect(() => {
    let live = true
    api.projects.outline
      .query({ projectId })
      .then((o) => live && setOutline(o))
      .catch(() => {})
    return () => {
      live = false
    }
  }, [projectId])

  const clips = outline?.tracks.reduce((n, t) => n + t.clips.length, 0) ?? 0
  const bars = outline ? Math.max(MIN_BARS, Math.ceil(outline.endTick / outline.barTicks)) : MIN_BARS
  const rows = Math.max(4, outline?.tracks.length ?? 0)
  const row = HEIGHT / rows
  const barTicks = outline?.barTicks ?? 1
  const x = (tick: number) => (tick / (bars * barTicks)) * WIDTH
  const barLines = Array.from({ length: bars - 1 }, (_, i) => (i + 1) * barTicks)
  const blocks = (outline?.tracks ?? []).flatMap((t, row) =>
    t.clips.map((c) => ({ row, colour: t.colour, start: c.start, length: c.length })),
  )
  return (
    <svg
      className="song-thumbnail"
      data-testid="song-thumbnail"
      data-clips={outline === null ? undefined : clips}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={
        outline === null
          ? `Arrangement of ${name}`
          : `Arrangement of ${name}: ${outline.tracks.length} tracks, ${clips} clips`
      }
    >
      {barLines.map((b) => (
        <line key={b} x1={x(b)} x2={x(b)} y1={0} y2={HEIGHT} className="song-thumbnail-bar" />
      ))}
      {blocks.map((c) => (
        <rect
          key={`${c.row}:${c.start}:${c.length}`}
          data-testid="thumbnail-clip"
          x={x(c.start) + 0.5}
          y={c.row * row + 2}
          width={Math.max(2, x(c.length) - 1)}
          height={Math.max(2, row - 4)}
          rx={2}
          fill={c.colour}
        />
      ))}
    </svg>
  )
}
