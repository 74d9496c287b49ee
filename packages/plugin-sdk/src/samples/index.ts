import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type SuggestInput, SuggestInputSchema } from '@ensemble/core/plugin'

/*
 * Small songs a plugin is tried against before it is packed: a 4/4 melody in C major over chords, a 3/4 lead in
 * A minor whose window starts on bar 2, and a drum groove in E minor. `ensemble-plugin test` runs every sample
 * whose target track kind the plugin declares, plus any `samples/*.json` in the plugin's own project.
 */

export const SDK_SAMPLES_DIR = fileURLToPath(new URL('../../samples/', import.meta.url))

export interface Sample {
  name: string
  input: SuggestInput
}

/** Every `*.json` in `dir` as a validated SuggestInput; a bad file throws naming the file and the field. */
export function loadSamples(dir: string = SDK_SAMPLES_DIR): Sample[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const path = join(dir, file)
      let raw: unknown
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'))
      } catch (error) {
        throw new Error(`sample ${path} is not valid JSON: ${(error as Error).message}`)
      }
      const parsed = SuggestInputSchema.safeParse(raw)
      if (!parsed.success)
        throw new Error(
          `sample ${path} is not a valid suggest input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        )
      return { name: file.replace(/\.json$/, ''), input: parsed.data }
    })
}
