import type { BaseContext } from 'tone'
import {
  CAPTURE_PROCESSOR,
  type CaptureCommand,
  type CaptureMessage,
  type CaptureProcessorOptions,
  captureWorkletUrl,
} from './capture-worklet'

/*
 * One open audio input on the song's audio context: the device's stream, the capture worklet (always
 * running, for the meter), and a monitoring path to the speakers that is silent unless switched on.
 * The browser's voice processing (echo cancellation, noise suppression, gain control) is turned off: it
 * changes the signal and adds latency, both wrong for recording an instrument.
 */

export interface AudioInputDevice {
  readonly deviceId: string
  readonly label: string
}

/** The inputs the browser offers; labels are empty until the page has been allowed a microphone once. */
export async function listInputs(): Promise<AudioInputDevice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return []
  const devices = await navigator.mediaDevices.enumerateDevices()
  return devices
    .filter((d) => d.kind === 'audioinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Input ${i + 1}` }))
}

export interface CapturedChunk {
  readonly frame: number
  readonly channels: Float32Array[]
}

export interface InputChain {
  readonly deviceId: string
  readonly label: string
  readonly channels: number
  readonly sampleRate: number
  /** The input's peak (0..1) over the last 50 ms. */
  level(): number
  setMonitoring(on: boolean): void
  startCapture(onChunk: (chunk: CapturedChunk) => void): void
  /** Resolves once the last partial chunk has been delivered. */
  stopCapture(): Promise<void>
  close(): void
}

/** About 100 ms at 48 kHz, a whole number of 128-frame render quanta. */
const CHUNK_FRAMES = 128 * 38

const modules = new WeakMap<object, Promise<void>>()

async function addCaptureModule(context: BaseContext): Promise<void> {
  const raw = context.rawContext as unknown as BaseAudioContext
  let loading = modules.get(raw)
  if (!loading) {
    // Not Tone's addAudioWorkletModule: it keeps the first module it was given and ignores later ones.
    loading = raw.audioWorklet.addModule(captureWorkletUrl())
    modules.set(raw, loading)
  }
  await loading
}

export class InputError extends Error {
  override name = 'InputError'
}

export async function openInput(context: BaseContext, deviceId: string | null): Promise<InputChain> {
  if (!navigator.mediaDevices?.getUserMedia) throw new InputError('This browser cannot record audio')
  let stream: MediaStream
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
        echoCancellation: false,
        noiseSuppression: false,
        autoGainControl: false,
      },
    })
  } catch (err) {
    const name = err instanceof DOMException ? err.name : ''
    throw new InputError(
      name === 'NotAllowedError'
        ? 'The browser was not allowed to use the microphone: allow it in the address bar and try again'
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? 'That input is not connected any more'
          : `Could not open the input: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
  const track = stream.getAudioTracks()[0]
  if (!track) throw new InputError('The input gave no audio')
  await addCaptureModule(context)
  const settings = track.getSettings()
  const channels = Math.max(1, Math.min(2, settings.channelCount ?? 1))
  const source = context.createMediaStreamSource(stream)
  const options: CaptureProcessorOptions = { chunkFrames: CHUNK_FRAMES, channels }
  const capture = context.createAudioWorkletNode(CAPTURE_PROCESSOR, {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    channelCount: channels,
    channelCountMode: 'explicit',
    processorOptions: options,
  })
  // The worklet writes nothing to its output, but a node must reach the destination to be run.
  const sink = context.createGain()
  sink.gain.value = 0
  const monitor = context.createGain()
  monitor.gain.value = 0
  const destination = (context.rawContext as unknown as BaseAudioContext).destination
  source.connect(capture)
  capture.connect(sink)
  sink.connect(destination)
  source.connect(monitor)
  monitor.connect(destination)

  let peak = 0
  let onChunk: ((chunk: CapturedChunk) => void) | null = null
  let stopped: (() => void) | null = null
  capture.port.onmessage = (e: MessageEvent<CaptureMessage>) => {
    const message = e.data
    if (message.type === 'level') peak = message.peak
    else if (message.type === 'chunk') onChunk?.({ frame: message.frame, channels: message.channels })
    else if (message.type === 'stopped') {
      stopped?.()
      stopped = null
    }
  }
  const send = (command: CaptureCommand) => capture.port.postMessage(command)
  return {
    deviceId: settings.deviceId ?? deviceId ?? '',
    label: track.label || 'Input',
    channels,
    sampleRate: context.sampleRate,
    level: () => peak,
    setMonitoring(on) {
      monitor.gain.value = on ? 1 : 0
    },
    startCapture(handler) {
      onChunk = handler
      send({ type: 'start' })
    },
    stopCapture() {
      return new Promise<void>((resolve) => {
        stopped = () => {
          onChunk = null
          resolve()
        }
        send({ type: 'stop' })
      })
    },
    close() {
      onChunk = null
      capture.port.onmessage = null
      source.disconnect()
      capture.disconnect()
      sink.disconnect()
      monitor.disconnect()
      for (const t of stream.getTracks()) t.stop()
    },
  }
}
