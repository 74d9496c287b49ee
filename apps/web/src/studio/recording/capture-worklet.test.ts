import { describe, expect, it } from 'vitest'
import { CAPTURE_SOURCE, type CaptureMessage } from './capture-worklet'

/**
 * Runs the processor's source in a small stand-in for AudioWorkletGlobalScope: the globals it reads
 * (currentFrame, sampleRate), a port that records what it posts, and registerProcessor.
 */
function load(options: { chunkFrames: number; channels: number }) {
  const posted: CaptureMessage[] = []
  const scope = { currentFrame: 0, sampleRate: 48_000 }
  let Processor: (new (o: unknown) => { process(inputs: Float32Array[][]): boolean; port: Port }) | null =
    null
  interface Port {
    onmessage: ((e: { data: unknown }) => void) | null
    postMessage(message: CaptureMessage): void
  }
  class AudioWorkletProcessor {
    port: Port = { onmessage: null, postMessage: (m) => posted.push(m) }
  }
  const register = (_name: string, cls: typeof Processor) => {
    Processor = cls
  }
  new Function('AudioWorkletProcessor', 'registerProcessor', 'scope', `with (scope) { ${CAPTURE_SOURCE} }`)(
    AudioWorkletProcessor,
    register,
    scope,
  )
  const node = new Processor!({ processorOptions: options })
  let frame = 0
  return {
    posted,
    send: (data: unknown) => node.port.onmessage?.({ data }),
    /** One render quantum whose samples are their frame numbers (channel 2 negated). */
    quantum(frames = 128) {
      scope.currentFrame = frame
      const left = Float32Array.from({ length: frames }, (_, i) => frame + i)
      const right = left.map((x) => -x)
      node.process([[left, right]])
      frame += frames
    },
  }
}

const chunks = (posted: CaptureMessage[]) =>
  posted.filter((m): m is Extract<CaptureMessage, { type: 'chunk' }> => m.type === 'chunk')

describe('the capture worklet', () => {
  it('sends every sample once, in chunks stamped with the frame of their first sample, from start to stop', () => {
    const w = load({ chunkFrames: 300, channels: 2 })
    w.quantum()
    w.send({ type: 'start' })
    for (let i = 0; i < 10; i++) w.quantum()
    w.send({ type: 'stop' })
    w.quantum()
    const sent = chunks(w.posted)
    // 1280 frames: four full chunks of 300 (quanta split across them) and the rest on stop.
    expect(sent.map((c) => [c.frame, c.channels[0]!.length])).toEqual([
      [128, 300],
      [428, 300],
      [728, 300],
      [1028, 300],
      [1328, 80],
    ])
    const all = sent.flatMap((c) => [...c.channels[0]!])
    expect(all).toEqual(Array.from({ length: 1280 }, (_, i) => 128 + i))
    expect(sent.every((c) => c.channels[1]!.every((x, i) => x === -c.channels[0]![i]!))).toBe(true)
    expect(w.posted.some((m) => m.type === 'stopped')).toBe(true)
  })

  it('reports the input peak for the meter whether or not it records', () => {
    const w = load({ chunkFrames: 4864, channels: 1 })
    for (let i = 0; i < 20; i++) w.quantum()
    const levels = w.posted.filter((m) => m.type === 'level')
    expect(levels.length).toBeGreaterThan(0)
    expect(chunks(w.posted)).toHaveLength(0)
  })
})
