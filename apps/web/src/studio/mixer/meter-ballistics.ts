/*
 * How the studio's level meters move, shared by the mixer's meters and the recorder's input meter: fast
 * attack, a fixed release per frame, and the peak held for about a second (61 frames at 60 fps) before it
 * falls to the level.
 */

/** The bottom of every meter, in dBFS. */
export const FLOOR_DB = -60

const HOLD_FRAMES = 60

export class MeterBallistics {
  /** What the meter shows now, in dBFS. */
  shown = FLOOR_DB
  /** The held peak, in dBFS. */
  peak = FLOOR_DB
  #age = 0
  readonly #releaseDbPerFrame: number

  constructor(releaseDbPerFrame: number) {
    this.#releaseDbPerFrame = releaseDbPerFrame
  }

  /** One animation frame with the level at `db` (already clamped to the meter's range). */
  step(db: number): void {
    this.shown = db > this.shown ? db : this.shown - this.#releaseDbPerFrame
    if (this.shown > this.peak || this.#age > HOLD_FRAMES) {
      this.peak = this.shown
      this.#age = 0
    } else this.#age++
  }

  /** Writes the shown level, in whole dB, where a test (or a screen reader's script) can read it. */
  publish(element: HTMLElement): void {
    const reading = String(Math.round(this.shown))
    if (element.dataset.levelDb !== reading) element.dataset.levelDb = reading
  }
}
