import { type RollFormat, rollRuntime } from '../common/roll-runtime.js'
import { DRUMS_FORMAT, type DrumsConfig } from './model.js'

/** The drums model as a roll step: 9 classes, the bar-position one-hot beside, drawn independently. */
export const DRUMS_ROLL: RollFormat = {
  format: DRUMS_FORMAT,
  shape(config) {
    const c = config as Pick<DrumsConfig, 'classes' | 'stepsPerBar' | 'channels' | 'dilations'>
    return { outputs: c.classes, extra: c.stepsPerBar, channels: c.channels, dilations: c.dilations }
  },
}

export const drumsRuntime = rollRuntime(DRUMS_ROLL)
