import { type RollFormat, rollRuntime } from '../common/roll-runtime.js'
import { CONTINUE_FORMAT, type ContinueConfig, withinFrameWeights } from './model.js'

/** The continue model as a roll step: 88 keys, the corpus one-hot beside, chained within the frame. */
export const CONTINUE_ROLL: RollFormat = {
  format: CONTINUE_FORMAT,
  shape(config) {
    const c = config as Pick<ContinueConfig, 'keys' | 'corpora' | 'channels' | 'dilations'>
    return { outputs: c.keys, extra: c.corpora, channels: c.channels, dilations: c.dilations }
  },
  within: (weights, config) => withinFrameWeights(weights, config as ContinueConfig),
}

export const continueRuntime = rollRuntime(CONTINUE_ROLL)
