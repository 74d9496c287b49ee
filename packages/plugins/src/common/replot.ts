/**
 * Redraws curve.svg from curve.csv in a model folder (e.g. after a training run made by older code).
 * Usage: tsx src/common/replot.ts DIR "title"
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { csvToCurve, curveToSvg } from './curve.js'

const [dir, title] = process.argv.slice(2)
if (!dir) throw new Error('usage: replot.ts DIR [title]')
const rows = csvToCurve(readFileSync(path.join(dir, 'curve.csv'), 'utf8'))
writeFileSync(path.join(dir, 'curve.svg'), curveToSvg(rows, title ?? path.basename(dir)))
