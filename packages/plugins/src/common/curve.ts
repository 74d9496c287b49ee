import { writeFileSync } from 'node:fs'

export interface CurveRow {
  step: number
  trainLoss: number
  validLoss: number | null
  seconds: number
}

export function curveToCsv(rows: CurveRow[]): string {
  const lines = ['step,train_loss,valid_loss,seconds']
  for (const r of rows) {
    lines.push(
      `${r.step},${r.trainLoss.toFixed(5)},${r.validLoss === null ? '' : r.validLoss.toFixed(5)},${r.seconds.toFixed(1)}`,
    )
  }
  return `${lines.join('\n')}\n`
}

export function csvToCurve(csv: string): CurveRow[] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => {
      const [step, train, valid, seconds] = l.split(',')
      return {
        step: Number(step),
        trainLoss: Number(train),
        validLoss: valid ? Number(valid) : null,
        seconds: Number(seconds),
      }
    })
}

/** A dependency-free SVG line plot of train (blue) and valid (orange) loss against step. */
export function curveToSvg(rows: CurveRow[], title: string): string {
  const w = 640
  const h = 360
  const m = { l: 60, r: 20, t: 30, b: 40 }
  const pts = rows.filter((r) => Number.isFinite(r.trainLoss))
  const values = pts.flatMap((r) => (r.validLoss === null ? [r.trainLoss] : [r.trainLoss, r.validLoss]))
  if (pts.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"/>\n`
  const maxStep = Math.max(...pts.map((r) => r.step), 1)
  const sorted = [...values].sort((a, b) => a - b)
  // Clip the y axis at the 98th percentile: the first few steps would otherwise flatten the rest.
  const yMax = sorted[Math.floor(sorted.length * 0.98)] ?? 1
  const yMin = Math.min(...values)
  const x = (s: number) => m.l + (s / maxStep) * (w - m.l - m.r)
  const y = (v: number) => m.t + (1 - (Math.min(v, yMax) - yMin) / (yMax - yMin || 1)) * (h - m.t - m.b)
  const line = (sel: (r: CurveRow) => number | null) =>
    pts
      .filter((r) => sel(r) !== null)
      .map((r) => `${x(r.step).toFixed(1)},${y(sel(r) as number).toFixed(1)}`)
      .join(' ')
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => yMin + f * (yMax - yMin))
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`,
    `<title>${title}</title>`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="18" text-anchor="middle" font-size="13">${title}</text>`,
    ...ticks.map(
      (v) =>
        `<line x1="${m.l}" x2="${w - m.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/><text x="${m.l - 5}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(3)}</text>`,
    ),
    `<text x="${w / 2}" y="${h - 8}" text-anchor="middle">step (max ${maxStep})</text>`,
    `<polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="${line((r) => r.trainLoss)}"/>`,
    `<polyline fill="none" stroke="#ff7f0e" stroke-width="2" points="${line((r) => r.validLoss)}"/>`,
    `<text x="${w - 150}" y="${m.t + 12}" fill="#1f77b4">train</text>`,
    `<text x="${w - 100}" y="${m.t + 12}" fill="#ff7f0e">valid</text>`,
    '</svg>',
    '',
  ].join('\n')
}

export function writeCurve(dir: string, rows: CurveRow[], title: string): void {
  writeFileSync(`${dir}/curve.csv`, curveToCsv(rows))
  writeFileSync(`${dir}/curve.svg`, curveToSvg(rows, title))
}
