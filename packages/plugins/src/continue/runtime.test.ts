import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initBackend } from '../common/backend.js'
import { KEY_MIN, KEYS } from './data.js'
import { CONTINUE_FORMAT } from './model.js'
import { continueRuntime } from './runtime.js'
import { chordModel } from './test-models.js'

beforeAll(async () => {
  await initBackend()
})

describe('continue plugin runtime', () => {
  it('plugin runtime: the step draws the same chord from the same weights', () => {
    const model = chordModel()
    const step = continueRuntime({
      format: CONTINUE_FORMAT,
      config: model.config,
      weights: model.params.named(),
      metadata: {},
    })
    const x = new Float32Array(KEYS + 2)
    x[60 - KEY_MIN] = 1
    x[KEYS] = 1
    const inputs = [
      tf.tensor2d(x, [1, KEYS + 2]),
      tf.zeros([1, 2, 8]),
      tf.zeros([1, KEYS]),
      tf.fill([1, KEYS], 0.5),
      tf.tensor2d([0], [1, 1]),
    ]
    const [state, on] = step.predict(inputs)
    const keys = [...(on!.dataSync() as Float32Array)].flatMap((v, k) => (v > 0.5 ? [k + KEY_MIN] : []))
    expect(keys).toEqual([60, 64])
    tf.dispose([...inputs, state!, on!])
    model.dispose()
  })
})
