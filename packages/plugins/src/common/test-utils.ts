import { fileURLToPath } from 'node:url'

/** Absolute path of a committed fixture (tests must never read ../shared). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url))
}

/** Absolute path of a model's committed weights folder (`src/<name>/weights`). */
export function modelPath(name: string): string {
  return fileURLToPath(new URL(`../${name}/weights`, import.meta.url))
}
