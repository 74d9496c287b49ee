/*
 * What the transport's start, loop and stop mean to things that play on it outside the scheduled events
 * (audio clips already sounding, automation ramps drawn ahead): `started` at a start, loop or seek, `stopped`
 * at a stop or pause (and, with `stopAtLoopEnd`, at the loop's end).
 */
import type { ToneContext } from './tone'

export const followTransport = (
  context: ToneContext,
  started: (time: number) => void,
  stopped: (time: number) => void,
  stopAtLoopEnd = false,
): (() => void) => {
  const transport = context.transport
  const stops = stopAtLoopEnd ? (['stop', 'pause', 'loopEnd'] as const) : (['stop', 'pause'] as const)
  transport.on('start', started)
  transport.on('loopStart', started)
  for (const event of stops) transport.on(event, stopped)
  return () => {
    transport.off('start', started)
    transport.off('loopStart', started)
    for (const event of stops) transport.off(event, stopped)
  }
}
