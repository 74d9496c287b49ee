import { readFileSync } from 'node:fs'
import { KEY_MIN, KEYS, type RollSet } from './data.js'

/* Reading the corpus file (training and evaluation tools): kept out of data.ts so the model's code loads in a browser. */

export function loadRolls(file: string): RollSet {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number[][][]>
  for (const [split, pieces] of Object.entries(raw)) {
    for (const piece of pieces)
      for (const frame of piece)
        for (const p of frame)
          if (p < KEY_MIN || p >= KEY_MIN + KEYS) throw new Error(`${split}: pitch ${p} outside the 88 keys`)
  }
  return raw
}
