import { readFileSync } from 'node:fs'
import path from 'node:path'
import { type Beat, quantizeMidi } from './data.js'

/* Reading the Groove MIDI files (training and evaluation tools): kept out of data.ts so the model's code loads in a browser. */

export interface InfoRow {
  midi: string
  style: string
  split: string
  timeSignature: string
}

export function readInfo(dir: string): InfoRow[] {
  const lines = readFileSync(path.join(dir, 'info.csv'), 'utf8').trim().split(/\r?\n/)
  const header = (lines[0] ?? '').split(',').map((x) => x.trim())
  const col = (name: string) => {
    const i = header.indexOf(name)
    if (i < 0) throw new Error(`info.csv has no ${name} column`)
    return i
  }
  const [iMidi, iStyle, iSplit, iTs] = [
    col('midi_filename'),
    col('style'),
    col('split'),
    col('time_signature'),
  ]
  return lines.slice(1).map((line) => {
    const f = line.split(',').map((x) => x.trim())
    return {
      midi: f[iMidi] ?? '',
      style: f[iStyle] ?? '',
      split: f[iSplit] ?? '',
      timeSignature: f[iTs] ?? '',
    }
  })
}

/**
 * Loads the 4/4 files of one split (split names as in info.csv: train / validation / test). Other
 * metres (about 1%) are left out because the model's position feature assumes 16 steps per bar.
 */
export function loadBeats(dir: string, split: string): Beat[] {
  return readInfo(dir)
    .filter((r) => r.split === split && r.timeSignature === '4-4')
    .map((r) => ({ file: r.midi, style: r.style, hits: quantizeMidi(readFileSync(path.join(dir, r.midi))) }))
}
