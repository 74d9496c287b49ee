'use client'

import {
  addClip,
  addTrack,
  audioClipEnd,
  type ClipRef,
  chooseTake,
  listTakes,
  PPQ,
  readAudioAsset,
  readMeta,
  readMixer,
  readTracks,
  reorderTrack,
  secondsToTicks,
  setAudioClipGain,
  type TrackSnapshot,
  ticksPerBar,
  ticksToSeconds,
} from '@ensemble/core'
import { DEFAULT_PRESET } from '@ensemble/core/audio/catalogue'
import { AudioLines, Drum, FileAudio, Piano, Plus } from 'lucide-react'
import { type DragEvent, Fragment, type PointerEvent as ReactPointerEvent, useRef, useState } from 'react'
import { shownProposal } from '../ai/ghost-notes'
import { ProposalLane, ProposalLaneHeader } from '../ai/proposal-lanes'
import { ProposalOverlay } from '../ai/proposal-overlay'
import { previewLanes } from '../ai/tracks-preview'
import { useProposals } from '../ai/use-proposals'
import { type AudioClipShape, AudioClipView } from '../audio/audio-clip-view'
import { IMPORT_ACCEPT } from '../audio/audio-import'
import { useUploads } from '../audio/upload-progress'
import { useAudioImport } from '../audio/use-audio-import'
import { AutomationLane } from '../automation/automation-lane'
import { AutomationLaneHeader } from '../automation/lane-header'
import { laneTargets } from '../automation/lane-targets'
import { toggleLanes } from '../automation/shown-lanes'
import { useRemoteViews } from '../presence/remote-views'
import { useSong } from '../session/hooks'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { type ClipGesture, finishGesture, IDLE, updateGesture } from './clip-gesture'
import { ClipView } from './clip-view'
import { LaneCommentMarkers } from './comment-markers'
import { Playhead } from './playhead'
import { Ruler } from './ruler'
import { floorTick, pxToTick, snapTick, tickToPx } from './timeline-scale'
import { TrackHeader } from './track-header'
import './arrangement.css'

const LANE_HEIGHT = 64
/** An automation lane under a track. */
const AUTOMATION_HEIGHT = 56
const EDGE_PX = 7
/** The arrangement's "add track" buttons; each starts on its kind's default preset. */
const NEW_TRACKS = [
  { kind: 'instrument', name: 'Keys', label: 'Instrument track', icon: Piano },
  { kind: 'drums', name: 'Drums', label: 'Drum track', icon: Drum },
  { kind: 'audio', name: 'Audio', label: 'Audio track', icon: AudioLines },
] as const

/**
 * An audio clip as a gesture in progress draws it: a trim with the edges where the pointer is and the audio
 * where it was, a fade or a gain at the dragged value.
 */
function previewAudioClip<C extends AudioClipShape>(clip: C, gesture: ClipGesture, bpm: number): C {
  if (gesture.kind === 'idle' || !('ref' in gesture) || gesture.ref.clipId !== clip.id) return clip
  switch (gesture.kind) {
    case 'trimming':
      return {
        ...clip,
        start: gesture.start,
        offset: clip.offset + ticksToSeconds(gesture.start - clip.start, bpm),
        length: ticksToSeconds(gesture.end - gesture.start, bpm),
      }
    case 'fading':
      return { ...clip, fadeIn: gesture.fadeIn, fadeOut: gesture.fadeOut }
    case 'gaining':
      return { ...clip, gainDb: gesture.gainDb }
    default:
      return clip
  }
}

export function Arrangement() {
  const studio = useStudio()
  const { doc, me } = studio.session
  const readOnly = studio.session.role === 'viewer'
  const tracks = useSong(doc, readTracks)
  const meta = useSong(doc, readMeta)
  const mixer = useSong(doc, readMixer)
  const shownLanes = useView(studio.view, (s) => s.automationLanes)
  const pxPerQuarter = useView(studio.view, (s) => s.pxPerQuarter)
  const snapSetting = useView(studio.view, (s) => s.snap)
  const selection = useView(studio.view, (s) => s.selection)
  const remote = useRemoteViews()
  const proposals = useProposals(doc)
  const aiFocus = useView(studio.view, (s) => s.aiFocus)
  const ghostLanes = previewLanes(
    proposals,
    tracks.map((t) => t.id),
    aiFocus,
  )
  const [gesture, setGesture] = useState<ClipGesture>(IDLE)
  const lanesRef = useRef<HTMLDivElement>(null)
  const pickRef = useRef<HTMLInputElement>(null)
  const importAudio = useAudioImport()
  const bar = ticksPerBar(meta.timeSignature)
  // Clips snap to the grid, but never finer than a beat: the arrangement is about sections, not notes.
  const snap = snapSetting > 0 ? Math.max(snapSetting, PPQ) : 0
  const scale = { pxPerQuarter, snap }
  const uploads = useUploads(studio.session.connection.provider.awareness)
  const songEnd = tracks.reduce(
    (m, t) =>
      t.audioClips.reduce(
        (n, c) => Math.max(n, audioClipEnd(c, meta.bpm)),
        t.clips.reduce((n, c) => Math.max(n, c.start + c.length), m),
      ),
    0,
  )
  const totalTicks = Math.max(bar * 32, Math.ceil(songEnd / bar) * bar + bar * 8)
  const width = tickToPx(scale, totalTicks)
  // Rows grow by the automation lanes shown under them: where each track's row starts, and the clip lanes' end.
  const automationRows = tracks.map((t) => ({
    targets: laneTargets(t, mixer),
    keys: shownLanes[t.id] ?? [],
  }))
  const rowTops: number[] = []
  let tracksHeight = 0
  for (const row of automationRows) {
    rowTops.push(tracksHeight)
    tracksHeight += LANE_HEIGHT + row.keys.length * AUTOMATION_HEIGHT
  }
  const lanePoints = (key: string) => mixer.automation.find((l) => l.key === key)?.points ?? []
  const rowAt = (y: number) => {
    let row = 0
    while (row < rowTops.length - 1 && rowTops[row + 1]! <= y) row++
    return row
  }

  const selectedClip = (id: string) =>
    selection.kind === 'clips' && selection.clips.some((c) => c.clipId === id)

  const pointAt = (e: { clientX: number; clientY: number }) => {
    const box = lanesRef.current!.getBoundingClientRect()
    const tick = pxToTick(scale, e.clientX - box.left)
    const row = rowAt(e.clientY - box.top)
    return {
      tick: Math.max(0, tick),
      trackId: tracks[Math.max(0, Math.min(tracks.length - 1, row))]?.id ?? null,
      y: e.clientY - box.top,
    }
  }

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return
    const target = e.target as HTMLElement
    const clipEl = target.closest<HTMLElement>('[data-clip-id]')
    const laneEl = target.closest<HTMLElement>('[data-lane]')
    if (!laneEl) return
    const trackId = laneEl.dataset.lane!
    const track = tracks.find((t) => t.id === trackId)
    if (!track) return
    const p = pointAt(e)
    studio.view.set({ selectedTrackId: trackId })
    if (!clipEl) {
      if (!e.shiftKey) studio.view.set({ selection: { kind: 'none' } })
      studio.transport.seek(floorTick(snap, p.tick))
      // Audio lanes hold recorded and imported clips; nothing is drawn on them.
      if (readOnly || track.kind === 'audio') return
      lanesRef.current!.setPointerCapture(e.pointerId)
      const anchor = floorTick(snap, p.tick)
      setGesture({ kind: 'creating', trackId, anchor, current: anchor })
      return
    }
    const clipId = clipEl.dataset.clipId!
    const clip = track.clips.find((c) => c.id === clipId) ?? track.audioClips.find((c) => c.id === clipId)
    if (!clip) return
    const ref: ClipRef = { trackId, clipId }
    const already = selectedClip(clipId)
    const current = selection.kind === 'clips' ? selection.clips : []
    const clips = e.shiftKey
      ? already
        ? current.filter((c) => c.clipId !== clipId)
        : [...current, ref]
      : already
        ? current
        : [ref]
    studio.view.set({ selection: { kind: 'clips', clips } })
    if (readOnly) return
    lanesRef.current!.setPointerCapture(e.pointerId)
    const fade = target.dataset.fade
    if ('asset' in clip && (fade === 'in' || fade === 'out')) {
      const fades = { fadeIn: clip.fadeIn, fadeOut: clip.fadeOut }
      setGesture({
        kind: 'fading',
        ref,
        edge: fade,
        grabTick: p.tick,
        bpm: meta.bpm,
        length: clip.length,
        original: fades,
        ...fades,
      })
      return
    }
    if ('asset' in clip && target.dataset.gainHandle !== undefined) {
      setGesture({ kind: 'gaining', ref, grabY: p.y, original: clip.gainDb, gainDb: clip.gainDb })
      return
    }
    const box = clipEl.getBoundingClientRect()
    const edge =
      target.dataset.edge ??
      (box.right - e.clientX < EDGE_PX ? 'right' : e.clientX - box.left < EDGE_PX ? 'left' : null)
    if ('asset' in clip && (edge === 'left' || edge === 'right')) {
      const end = audioClipEnd(clip, meta.bpm)
      const audioFrom = clip.start - secondsToTicks(clip.offset, meta.bpm)
      const duration = readAudioAsset(doc, clip.asset)?.durationSeconds
      setGesture({
        kind: 'trimming',
        ref,
        edge,
        start: clip.start,
        end,
        original: { start: clip.start, end },
        audioFrom,
        audioTo: duration === undefined ? end : audioFrom + secondsToTicks(duration, meta.bpm),
      })
      return
    }
    if (!('asset' in clip) && edge === 'right') {
      setGesture({
        kind: 'resizing',
        ref,
        clipStart: clip.start,
        length: clip.length,
        originalLength: clip.length,
      })
      return
    }
    const moving = clips.some((c) => c.clipId === clipId) ? clips : [ref]
    // Clips of this lane under the pointer, top first: the one after the pressed clip is next in the cycle.
    const stack = document
      .elementsFromPoint(e.clientX, e.clientY)
      .filter((el): el is HTMLElement => el instanceof HTMLElement && el.dataset.clipId !== undefined)
      .filter((el) => el.closest<HTMLElement>('[data-lane]') === laneEl)
      .map((el) => el.dataset.clipId!)
    const next = stack[(stack.indexOf(clipId) + 1) % stack.length]
    const below =
      already && !e.shiftKey && next !== undefined && next !== clipId ? { trackId, clipId: next } : null
    const starts = new Map<string, number>()
    for (const t of tracks)
      for (const c of [...t.clips, ...t.audioClips])
        if (moving.some((m) => m.clipId === c.id)) starts.set(c.id, c.start)
    setGesture({
      kind: 'moving',
      refs: moving,
      grabTick: p.tick,
      deltaTicks: 0,
      fromTrackId: trackId,
      toTrackId: trackId,
      copy: e.altKey,
      minStart: Math.min(...starts.values()),
      starts,
      below,
    })
  }

  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const p = pointAt(e)
    studio.presence.pointer({ arrangementTick: Math.round(p.tick), pointerTrackId: p.trackId })
    if (gesture.kind === 'idle') return
    const next = updateGesture(gesture, p, (t) => snapTick(snap, t))
    // Moving several clips across tracks would stack them all on one track: only a single clip changes track,
    // and only to a lane of its kind (audio clips live on audio tracks, MIDI clips on the others).
    const isAudio = (id: string) => tracks.find((t) => t.id === id)?.kind === 'audio'
    if (
      next.kind === 'moving' &&
      (next.refs.length > 1 || isAudio(next.toTrackId) !== isAudio(next.fromTrackId))
    )
      setGesture({ ...next, toTrackId: next.fromTrackId })
    else setGesture(next)
  }

  const onPointerUp = () => {
    const g = gesture
    setGesture(IDLE)
    studio.run(() => {
      const selected = finishGesture(g, doc, me, snap || PPQ)
      if (selected) studio.view.set({ selection: { kind: 'clips', clips: selected } })
    })
  }

  const onDoubleClick = (e: React.MouseEvent<HTMLDivElement>) => {
    // The lanes hold pointer capture during a press, so the event target is the lanes themselves:
    // find what is under the pointer instead.
    const under = document.elementsFromPoint(e.clientX, e.clientY)
    const gainHandle = under.find(
      (el): el is HTMLElement => el instanceof HTMLElement && el.dataset.gainHandle !== undefined,
    )
    if (gainHandle) {
      // A double-click on the gain handle puts the clip back to 0 dB.
      const clipId = gainHandle.closest<HTMLElement>('[data-clip-id]')?.dataset.clipId
      const laneId = gainHandle.closest<HTMLElement>('[data-lane]')?.dataset.lane
      if (!readOnly && clipId && laneId) studio.run(() => setAudioClipGain(doc, me, laneId, clipId, 0))
      return
    }
    // Audio clips have no editor to open.
    const clipEl = under.find(
      (el): el is HTMLElement =>
        el instanceof HTMLElement && el.dataset.clipId !== undefined && el.dataset.audioClipId === undefined,
    )
    const trackId = pointAt(e).trackId
    if (!trackId || under.some((el) => el instanceof HTMLElement && el.dataset.ghostLane !== undefined))
      return
    if (clipEl) {
      const track = tracks.find((t) => t.id === trackId)
      studio.view.set({
        editor: {
          trackId: clipEl.closest<HTMLElement>('[data-lane]')?.dataset.lane ?? trackId,
          clipId: clipEl.dataset.clipId!,
        },
        editorMode: track?.kind === 'drums' ? 'drums' : 'piano',
        selection: { kind: 'none' },
      })
      return
    }
    if (readOnly || tracks.find((t) => t.id === trackId)?.kind === 'audio') return
    const start = Math.floor(pointAt(e).tick / bar) * bar
    studio.run(() => {
      const { clipId } = addClip(doc, me, trackId, { start, length: bar })
      studio.view.set({ selection: { kind: 'clips', clips: [{ trackId, clipId }] } })
    })
  }

  // Audio files dropped on a lane land at the drop position (MIDI files go on to the MIDI import).
  const onDragOver = (e: DragEvent<HTMLDivElement>) => {
    if (readOnly || !e.dataTransfer.types.includes('Files')) return
    e.preventDefault()
    e.dataTransfer.dropEffect = 'copy'
  }
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    if (readOnly) return
    const files = [...e.dataTransfer.files]
    if (files.length === 0) return
    const p = pointAt(e)
    const start = snapTick(snap, p.tick)
    void importAudio(files, { trackId: p.trackId, tick: start }).then((n) => {
      if (n > 0) studio.transport.seek(start)
    })
  }

  const addClipAfter = (track: TrackSnapshot) =>
    studio.run(() => {
      const end = track.clips.reduce((max, c) => Math.max(max, c.start + c.length), 0)
      addClip(doc, me, track.id, { start: end, length: bar, name: '' })
    })

  const reorder = (trackId: string, toIndex: number) =>
    studio.run(() => reorderTrack(doc, me, trackId, toIndex))

  /** Where a clip's block sits, following a move in progress (drawn where it would land). */
  const slotStyle = (row: number, clip: { id: string; start: number }, below: number) => {
    const moving = gesture.kind === 'moving' && gesture.refs.some((r) => r.clipId === clip.id)
    const toRow =
      moving && gesture.toTrackId !== gesture.fromTrackId
        ? tracks.findIndex((t) => t.id === gesture.toTrackId)
        : row
    return {
      left: tickToPx(scale, clip.start),
      transform: moving
        ? `translate(${tickToPx(scale, gesture.deltaTicks)}px, ${(rowTops[toRow] ?? 0) - (rowTops[row] ?? 0)}px)`
        : undefined,
      opacity: moving && gesture.copy ? 0.7 : undefined,
      // The selected clip draws above any it overlaps, so what was picked is what is seen.
      zIndex: selectedClip(clip.id) ? 2 : below,
    }
  }

  return (
    <section className="st-arrangement" aria-label="Arrangement">
      <div className="st-arr-scroll" data-testid="arrangement">
        <div className="st-arr-grid" style={{ width: 264 + width }}>
          <div className="st-arr-corner">
            <span>{tracks.length} tracks</span>
          </div>
          <Ruler scale={scale} bar={bar} totalTicks={totalTicks} />
          <div className="st-arr-headers">
            {tracks.map((track, index) => (
              <Fragment key={track.id}>
                <TrackHeader
                  track={track}
                  index={index}
                  visitors={remote.filter((r) => r.trackId === track.id)}
                  onAddClip={() => addClipAfter(track)}
                  onReorder={reorder}
                  automationShown={(shownLanes[track.id]?.length ?? 0) > 0}
                  onToggleAutomation={() =>
                    studio.view.set((s) =>
                      toggleLanes(
                        s,
                        track.id,
                        automationRows[index]!.targets,
                        new Set(mixer.automation.map((l) => l.key)),
                      ),
                    )
                  }
                />
                {automationRows[index]!.keys.map((key) => (
                  <AutomationLaneHeader
                    key={key}
                    trackId={track.id}
                    trackName={track.name}
                    laneKey={key}
                    targets={automationRows[index]!.targets}
                    points={lanePoints(key)}
                    height={AUTOMATION_HEIGHT}
                  />
                ))}
              </Fragment>
            ))}
            {ghostLanes.map((lane) => (
              <ProposalLaneHeader key={lane.key} lane={lane} height={LANE_HEIGHT} />
            ))}
          </div>
          {/* biome-ignore lint/a11y/noStaticElementInteractions: pointer gestures on the timeline; keys go through the command registry */}
          <div
            ref={lanesRef}
            className="st-lanes"
            style={{
              width,
              height: Math.max(LANE_HEIGHT, tracksHeight + ghostLanes.length * LANE_HEIGHT),
              ['--bar-px' as string]: `${tickToPx(scale, bar)}px`,
              ['--beat-px' as string]: `${tickToPx(scale, PPQ)}px`,
            }}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={() => setGesture(IDLE)}
            onPointerLeave={() => studio.presence.pointer({ arrangementTick: null, pointerTrackId: null })}
            onDoubleClick={onDoubleClick}
            onDragOver={onDragOver}
            onDrop={onDrop}
          >
            {tracks.map((track, row) => (
              <Fragment key={track.id}>
                <div
                  data-lane={track.id}
                  data-testid="lane"
                  className="st-lane"
                  style={{ top: rowTops[row], height: LANE_HEIGHT, ['--track' as string]: track.colour }}
                >
                  {track.clips.map((clip) => {
                    const resizing = gesture.kind === 'resizing' && gesture.ref.clipId === clip.id
                    const shown = resizing ? { ...clip, length: gesture.length } : clip
                    return (
                      <div key={clip.id} className="st-clip-slot" style={slotStyle(row, clip, 0)}>
                        <ClipView
                          clip={shown}
                          colour={track.colour}
                          pxPerQuarter={pxPerQuarter}
                          selected={selectedClip(clip.id)}
                          markedBy={remote.filter((r) => r.clipIds.includes(clip.id)).map((r) => r.colour)}
                        />
                      </div>
                    )
                  })}
                  {track.audioClips.map((clip) => {
                    const shown = previewAudioClip(clip, gesture, meta.bpm)
                    return (
                      <div
                        key={clip.id}
                        className="st-clip-slot"
                        style={slotStyle(row, shown, clip.active ? 1 : 0)}
                      >
                        <AudioClipView
                          clip={shown}
                          selected={selectedClip(clip.id)}
                          editable={!readOnly}
                          projectId={studio.session.projectId}
                          bpm={meta.bpm}
                          pxPerQuarter={pxPerQuarter}
                          colour={track.colour}
                          // Takes, not clips: comping cuts a take into pieces that are still one take.
                          takes={listTakes(track.audioClips, clip.takeGroupId).map((t) => t.takeIndex)}
                          uploading={uploads.get(clip.asset) ?? null}
                          {...(readOnly
                            ? {}
                            : {
                                // With the loop region on, the take is chosen there only (comping); else everywhere.
                                onChooseTake: (takeIndex: number) => {
                                  const { loop } = studio.view.get()
                                  studio.run(() =>
                                    chooseTake(
                                      doc,
                                      me,
                                      track.id,
                                      clip.takeGroupId,
                                      takeIndex,
                                      loop.enabled ? { start: loop.start, end: loop.end } : undefined,
                                    ),
                                  )
                                },
                              })}
                        />
                      </div>
                    )
                  })}
                  {(() => {
                    const shown = shownProposal(proposals, track.id, aiFocus)
                    return shown ? (
                      <ProposalOverlay
                        proposal={shown.proposal}
                        variation={shown.variation}
                        pxPerQuarter={pxPerQuarter}
                      />
                    ) : null
                  })()}
                  {gesture.kind === 'creating' &&
                    gesture.trackId === track.id &&
                    gesture.current !== gesture.anchor && (
                      <div
                        className="st-clip-ghost"
                        style={{
                          left: tickToPx(scale, Math.min(gesture.anchor, gesture.current)),
                          width: tickToPx(scale, Math.abs(gesture.current - gesture.anchor)),
                        }}
                      />
                    )}
                </div>
                {automationRows[row]!.keys.map((key, k) => {
                  const target = automationRows[row]!.targets.find((t) => t.key === key)
                  return target ? (
                    <AutomationLane
                      key={key}
                      target={target}
                      points={lanePoints(key)}
                      top={(rowTops[row] ?? 0) + LANE_HEIGHT + k * AUTOMATION_HEIGHT}
                      width={width}
                      height={AUTOMATION_HEIGHT}
                      pxPerQuarter={pxPerQuarter}
                      snap={snapSetting}
                      colour={track.colour}
                    />
                  ) : null
                })}
              </Fragment>
            ))}
            {ghostLanes.map((lane, i) => (
              <ProposalLane
                key={lane.key}
                lane={lane}
                top={tracksHeight + i * LANE_HEIGHT}
                height={LANE_HEIGHT}
                pxPerQuarter={pxPerQuarter}
              />
            ))}
            {remote
              .filter((r) => r.arrangementTick !== null && r.pointerTrackId !== null)
              .map((r) => {
                const row = tracks.findIndex((t) => t.id === r.pointerTrackId)
                if (row < 0) return null
                return (
                  <div
                    key={r.clientId}
                    className="st-remote-cursor"
                    data-testid="remote-cursor"
                    style={{
                      left: tickToPx(scale, r.arrangementTick ?? 0),
                      top: rowTops[row],
                      height: LANE_HEIGHT,
                      ['--who' as string]: r.colour,
                    }}
                  >
                    <span>{r.name}</span>
                  </div>
                )
              })}
            <LaneCommentMarkers scale={scale} tracks={tracks} laneHeight={LANE_HEIGHT} rowTops={rowTops} />
            <Playhead scale={scale} />
          </div>
        </div>
        {tracks.length === 0 && <p className="st-empty">No tracks yet. Add an instrument or a drum track.</p>}
        <div className="st-add-tracks">
          {NEW_TRACKS.map(({ kind, name, label, icon: Icon }) => (
            <button
              key={kind}
              type="button"
              disabled={readOnly}
              onClick={() =>
                studio.run(() => {
                  const id = addTrack(
                    doc,
                    me,
                    kind === 'audio' ? { kind, name } : { kind, name, instrument: DEFAULT_PRESET[kind] },
                  )
                  studio.view.set({ selectedTrackId: id })
                })
              }
            >
              <Plus size={14} aria-hidden />
              <Icon size={14} aria-hidden /> {label}
            </button>
          ))}
          <button
            type="button"
            disabled={readOnly}
            title="Import WAV, AIFF, FLAC, MP3, OGG or M4A at the playhead (or drop files on a lane)"
            onClick={() => pickRef.current?.click()}
          >
            <FileAudio size={14} aria-hidden /> Import audio
          </button>
          <input
            ref={pickRef}
            type="file"
            hidden
            multiple
            accept={IMPORT_ACCEPT}
            data-testid="import-audio"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])]
              e.target.value = ''
              const v = studio.view.get()
              void importAudio(files, {
                trackId: v.selectedTrackId,
                tick: Math.round(studio.transport.position()),
              })
            }}
          />
        </div>
      </div>
    </section>
  )
}
