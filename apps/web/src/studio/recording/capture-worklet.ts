/*
 * The AudioWorklet that captures the input: raw float samples on the audio thread, not MediaRecorder's
 * compressed chunks, so a take is exactly what the interface delivered and every sample carries the audio
 * clock's frame number (what latency compensation and placement on the timeline are computed from).
 *
 * Messages to the main thread: `level` (the input's peak about 20 times a second, for the meter, always)
 * and, between `start` and `stop`, `chunk` (about 100 ms of samples with the frame of its first sample;
 * buffers transferred, not copied). `stop` flushes the last partial chunk and answers `stopped`.
 *
 * The processor is a string turned into a Blob URL: an AudioWorklet module must be a separate script,
 * and this keeps it beside the code that speaks to it instead of in a public folder outside the bundle.
 */

export const CAPTURE_PROCESSOR = 'ensemble-capture'

export interface CaptureProcessorOptions {
  /** Frames per chunk sent to the main thread. */
  readonly chunkFrames: number
  readonly channels: number
}

export type CaptureMessage =
  | { readonly type: 'level'; readonly peak: number }
  | { readonly type: 'chunk'; readonly frame: number; readonly channels: Float32Array[] }
  | { readonly type: 'stopped'; readonly frame: number }

export type CaptureCommand = { readonly type: 'start' } | { readonly type: 'stop' }

export const CAPTURE_SOURCE = `
class EnsembleCapture extends AudioWorkletProcessor {
  constructor(options) {
    super()
    const o = options.processorOptions
    this.chunkFrames = o.chunkFrames
    this.channels = o.channels
    this.capturing = false
    this.buffer = null
    this.filled = 0
    this.first = 0
    this.peak = 0
    this.sinceLevel = 0
    this.port.onmessage = (e) => {
      if (e.data.type === 'start') {
        this.capturing = true
        this.buffer = null
        this.filled = 0
      } else if (e.data.type === 'stop') {
        this.flush()
        this.capturing = false
        this.port.postMessage({ type: 'stopped', frame: currentFrame })
      }
    }
  }
  flush() {
    if (this.buffer && this.filled > 0) {
      const channels = this.buffer.map((b) => (this.filled === b.length ? b : b.slice(0, this.filled)))
      this.port.postMessage({ type: 'chunk', frame: this.first, channels }, channels.map((c) => c.buffer))
    }
    this.buffer = null
    this.filled = 0
  }
  process(inputs) {
    const input = inputs[0] || []
    const frames = input.length > 0 ? input[0].length : 128
    for (let c = 0; c < input.length; c++) {
      const data = input[c]
      for (let i = 0; i < data.length; i++) {
        const a = data[i] < 0 ? -data[i] : data[i]
        if (a > this.peak) this.peak = a
      }
    }
    this.sinceLevel += frames
    if (this.sinceLevel >= sampleRate / 20) {
      this.port.postMessage({ type: 'level', peak: this.peak })
      this.peak = 0
      this.sinceLevel = 0
    }
    if (!this.capturing) return true
    let done = 0
    while (done < frames) {
      if (this.buffer === null) {
        this.buffer = []
        for (let c = 0; c < this.channels; c++) this.buffer.push(new Float32Array(this.chunkFrames))
        this.first = currentFrame + done
      }
      const room = Math.min(frames - done, this.chunkFrames - this.filled)
      for (let c = 0; c < this.channels; c++) {
        // A missing input channel (a mono device on a stereo take) repeats the first; no input is silence.
        const data = input[c] || input[0]
        if (data) this.buffer[c].set(data.subarray(done, done + room), this.filled)
      }
      this.filled += room
      done += room
      if (this.filled === this.chunkFrames) this.flush()
    }
    return true
  }
}
registerProcessor('${CAPTURE_PROCESSOR}', EnsembleCapture)
`

let url: string | null = null

/** The module's URL, made once per page. */
export function captureWorkletUrl(): string {
  url ??= URL.createObjectURL(new Blob([CAPTURE_SOURCE], { type: 'text/javascript' }))
  return url
}
