import { type LiveRun, startLive } from '@ensemble/core/plugin'
import { bassPartner } from '@ensemble/plugins/live'

/**
 * For the partner's tests: the real bass partner's run in a 4/4 song in C major at 120 bpm, on a clock that
 * stands still (the beats are checked, not this machine's speed).
 */
export function stillBassRun(): LiveRun {
  return startLive(
    bassPartner().plugin,
    {
      song: {
        bpm: 120,
        timeSignature: { numerator: 4, denominator: 4 },
        key: { tonic: 'C', mode: 'major' },
      },
      parameters: {},
      seed: 1,
    },
    { now: () => 0 },
  )
}
