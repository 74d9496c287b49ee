'use client'

import { type NextAction, type Proposal, readMeta, readTrack, ticksPerBar } from '@ensemble/core'
import type { PresetId } from '@ensemble/core/audio/catalogue'
import { MAX_VARIATIONS, type ParameterValue, parameterDefaults } from '@ensemble/core/plugin'
import { Sparkles, X } from 'lucide-react'
import { useCallback, useEffect, useRef, useState } from 'react'
import { api } from '../../client/api/client'
import { IconButton } from '../components/icon-button'
import { useSong } from '../session/hooks'
import { colourFor } from '../session/song-session'
import { useStudio } from '../studio-context'
import { useView } from '../view/view-store'
import { proposalLabel, shownProposal, variationNotes } from './ghost-notes'
import { PluginParameters } from './plugin-parameters'
import { acceptShown, dismissShown } from './proposal-actions'
import { auditionParts, type NoteSink } from './proposal-audition'
import { explainFailure, type SuggestFailure } from './suggest-failure'
import { defaultRange, fromBars, type SuggestRange, suggestWindow, toBars } from './suggest-range'
import { previewLanes } from './tracks-preview'
import { useProposals } from './use-proposals'
import './ai.css'

type PluginList = Awaited<ReturnType<typeof api.ai.plugins.query>>
type PluginInfo = PluginList['plugins'][number]

type Listing =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly plugins: readonly PluginInfo[] }
  | { readonly status: 'down'; readonly message: string }

type Job =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly pluginName: string; readonly startedAt: number }
  | {
      readonly status: 'failed'
      readonly failure: SuggestFailure
      /** Busy: Date.now() when Retry is worth pressing (the server's retry-after); until then it counts down. */
      readonly retryAt?: number
    }

/** The panel's plugin for a "what next" action: ours first (by id), else the first of the fitting kind. */
function pluginFor(plugins: readonly PluginInfo[], action: NextAction): PluginInfo | undefined {
  const kind: PluginInfo['kind'] = action === 'drums' || action === 'continue' ? 'generator' : action
  return plugins.find((p) => p.id === `studio.ensemble.${action}`) ?? plugins.find((p) => p.kind === kind)
}

/** What the server gives the plugin before it stops it (ai router SUGGEST_DEADLINE_MS), for the progress bar. */
const EXPECTED_MS = 8_000

/**
 * The AI panel of one track: pick a plugin that fits the track, set its parameters, choose the bars and
 * how many variations, and ask. The server writes the answer into the song as a proposal, so the whole room
 * sees it as ghost notes; anyone can audition a variation, an editor accepts or dismisses it. The panel holds
 * the form, the job's state and the preview; it writes no proposal itself. When the AI service
 * is down, slow or busy the panel says so and offers a retry; nothing else in the studio waits on it.
 */
export function AiPanel({ trackId }: { trackId: string }) {
  const studio = useStudio()
  const { session } = studio
  const { doc } = session
  const readOnly = session.role === 'viewer'
  const track = useSong(doc, (d) => readTrack(d, trackId), [trackId])
  const meta = useSong(doc, readMeta)
  const bar = ticksPerBar(meta.timeSignature)
  const focus = useView(studio.view, (s) => s.aiFocus)
  const proposals = useProposals(doc).filter((p) => p.trackId === trackId)
  const shown = shownProposal(proposals, trackId, focus)

  const [listing, setListing] = useState<Listing>({ status: 'loading' })
  const [pluginId, setPluginId] = useState<string | null>(null)
  const [values, setValues] = useState<Record<string, ParameterValue>>({})
  const [range, setRange] = useState<SuggestRange | null>(null)
  const [variations, setVariations] = useState(2)
  const [job, setJob] = useState<Job>({ status: 'idle' })
  const [elapsed, setElapsed] = useState(0)
  const [auditioning, setAuditioning] = useState<string | null>(null)
  const stopAudition = useRef<(() => void) | null>(null)
  const alive = useRef(true)
  useEffect(() => {
    // Set here too: React may unmount and mount an effect again without a new ref (strict mode).
    alive.current = true
    return () => {
      alive.current = false
      stopAudition.current?.()
    }
  }, [])

  const kind = track?.kind
  const loadPlugins = useCallback(() => {
    if (kind === undefined) return
    setListing({ status: 'loading' })
    api.ai.plugins
      .query({ projectId: session.projectId, trackKind: kind })
      .then((answer) => {
        if (!alive.current) return
        if (!answer.reachable) {
          setListing({ status: 'down', message: answer.message })
          return
        }
        setListing({ status: 'ready', plugins: answer.plugins })
        setPluginId((current) =>
          current !== null && answer.plugins.some((p) => p.id === current)
            ? current
            : (answer.plugins[0]?.id ?? null),
        )
      })
      .catch((err: unknown) => {
        if (alive.current) setListing({ status: 'down', message: explainFailure(err).message })
      })
  }, [session.projectId, kind])
  useEffect(loadPlugins, [loadPlugins])

  // A "what next" step opened this panel: choose its tool and bars once the plugins are known.
  const intent = useView(studio.view, (s) => s.aiIntent)
  useEffect(() => {
    if (intent === null || listing.status !== 'ready') return
    const chosen = pluginFor(listing.plugins, intent.action)
    if (chosen) setPluginId(chosen.id)
    setRange({ fromTick: intent.fromTick, toTick: intent.toTick, source: 'bars' })
    studio.view.set({ aiIntent: null })
  }, [intent, listing, studio.view])

  const plugin = listing.status === 'ready' ? listing.plugins.find((p) => p.id === pluginId) : undefined
  // biome-ignore lint/correctness/useExhaustiveDependencies: a newly chosen plugin starts at its own defaults
  useEffect(() => {
    setValues(plugin ? parameterDefaults(plugin.parameters) : {})
  }, [plugin?.id, plugin?.version])

  // The range starts from what is selected when the panel opens on a track.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on opening, not on every edit of the track
  useEffect(() => {
    const t = readTrack(doc, trackId)
    if (t) setRange(defaultRange(t, studio.view.get(), bar))
  }, [trackId, bar])

  useEffect(() => {
    if (job.status !== 'running') return
    const timer = setInterval(() => setElapsed(performance.now() - job.startedAt), 100)
    return () => clearInterval(timer)
  }, [job])

  // Busy: the seconds until the server said trying again is worth it, counted down to 0.
  const [waitS, setWaitS] = useState(0)
  useEffect(() => {
    if (job.status !== 'failed' || job.retryAt === undefined) {
      setWaitS(0)
      return
    }
    const retryAt = job.retryAt
    const tick = () => setWaitS(Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)))
    tick()
    const timer = setInterval(tick, 250)
    return () => clearInterval(timer)
  }, [job])

  if (!track) {
    return (
      <aside className="st-ai" aria-label="AI suggestions">
        <p className="st-empty">This track is gone.</p>
      </aside>
    )
  }

  const generate = async () => {
    if (!plugin || !range) return
    setElapsed(0)
    setJob({ status: 'running', pluginName: plugin.name, startedAt: performance.now() })
    const asked = suggestWindow(range, plugin, values, bar)
    try {
      const result = await api.ai.suggest.mutate({
        projectId: session.projectId,
        trackId,
        fromTick: asked.fromTick,
        toTick: asked.toTick,
        pluginId: plugin.id,
        version: plugin.version,
        parameters: values,
        variations,
      })
      if (!alive.current) return
      // The server wrote the proposal into the song; it reaches this tab, like every bandmate's, as an edit.
      if (result.proposalId === null) {
        setJob({
          status: 'failed',
          failure: { message: `${plugin.name} had no idea for these bars. Try other settings.`, retry: true },
        })
        return
      }
      studio.view.set({ aiFocus: { proposalId: result.proposalId, variation: 0 } })
      setJob({ status: 'idle' })
    } catch (err) {
      if (!alive.current) return
      const failure = explainFailure(err)
      setJob(
        failure.retryInMs === undefined
          ? { status: 'failed', failure }
          : { status: 'failed', failure, retryAt: Date.now() + failure.retryInMs },
      )
    }
  }

  const audition = (proposal: Proposal, variation: number) => {
    stopAudition.current?.()
    stopAudition.current = null
    if (auditioning === proposal.id) {
      setAuditioning(null)
      return
    }
    const onEnd = () => {
      stopAudition.current = null
      if (alive.current) setAuditioning(null)
    }
    // A notes proposal plays on this track's instrument; an arranger's tracks each on the preset they would get.
    if (proposal.kind === 'tracks') {
      const lanes = previewLanes([proposal], [proposal.trackId], { proposalId: proposal.id, variation })
      const parts = lanes.flatMap((l) => (l.preset === null ? [] : [{ voice: l.preset, notes: l.notes }]))
      if (parts.every((p) => p.notes.length === 0)) return
      const presets: NoteSink<PresetId> = {
        noteOn: (preset, pitch, velocity) => studio.audio.presetNoteOn(preset, pitch, velocity),
        noteOff: (preset, pitch) => studio.audio.presetNoteOff(preset, pitch),
      }
      setAuditioning(proposal.id)
      stopAudition.current = auditionParts(presets, parts, meta.bpm, onEnd)
      return
    }
    const notes = variationNotes(proposal, variation, proposal.fromTick)
    if (notes.length === 0) return
    setAuditioning(proposal.id)
    stopAudition.current = auditionParts(studio.audio, [{ voice: trackId, notes }], meta.bpm, onEnd)
  }

  const bars = range ? toBars(range, bar) : null
  // A generator writes on from the range's last note: say how far, so nobody wonders where notes will land.
  const reach =
    range && plugin?.kind === 'generator'
      ? toBars(suggestWindow(range, plugin, values, bar), bar).toBar
      : null
  const running = job.status === 'running'
  return (
    <aside className="st-ai" aria-label="AI suggestions" data-testid="ai-panel">
      <header className="st-ai-head">
        <h2>
          <Sparkles size={15} aria-hidden className="st-ai-mark" /> AI · {track.name}
        </h2>
        <IconButton
          icon={X}
          size={15}
          label="Close AI panel"
          onClick={() => studio.view.set({ aiTrackId: null })}
        />
      </header>

      {listing.status === 'loading' && (
        <p className="st-muted st-small">Asking the AI service what it offers…</p>
      )}
      {listing.status === 'down' && (
        <div role="alert" className="st-ai-error" data-testid="ai-error">
          <p>{listing.message}</p>
          <p className="st-muted st-small">The rest of the studio works as usual.</p>
          <button type="button" onClick={loadPlugins}>
            Retry
          </button>
        </div>
      )}
      {listing.status === 'ready' && listing.plugins.length === 0 && (
        <p className="st-muted st-small">No plugin fits a {track.kind} track yet.</p>
      )}
      {listing.status === 'ready' && listing.plugins.length > 0 && (
        <form
          className="st-ai-form"
          onSubmit={(e) => {
            e.preventDefault()
            void generate()
          }}
        >
          <label className="st-ai-param">
            <span>Plugin</span>
            <select
              aria-label="Plugin"
              value={pluginId ?? ''}
              disabled={running}
              onChange={(e) => setPluginId(e.target.value)}
            >
              {listing.plugins.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.thirdParty ? `${p.name} (third-party, ${p.publisher})` : p.name}
                </option>
              ))}
            </select>
          </label>
          {plugin && (
            <p className="st-muted st-small" data-testid="ai-plugin-about">
              {plugin.description} <span title={plugin.id}>v{plugin.version}</span> · {plugin.author}
              {plugin.thirdParty && (
                <>
                  {' '}
                  · third-party, published by {plugin.publisher}, sandboxed; may use{' '}
                  {plugin.capabilities.length > 0 ? plugin.capabilities.join(', ') : 'only the song'}
                </>
              )}
            </p>
          )}
          {plugin?.training && (
            <details className="st-small st-ai-training" data-testid="ai-plugin-training">
              <summary>What it knows and what it does not</summary>
              <p>
                <strong>Trained on:</strong> {plugin.training.knows}
              </p>
              <p>
                <strong>Not in its training:</strong> {plugin.training.doesNotKnow}
              </p>
            </details>
          )}
          {plugin && (
            <PluginParameters
              specs={plugin.parameters}
              values={values}
              disabled={running || readOnly}
              onChange={(id, value) => setValues((v) => ({ ...v, [id]: value }))}
            />
          )}
          {bars && (
            <fieldset className="st-ai-range">
              <legend>
                Bars{' '}
                <span className="st-muted st-small">
                  {range?.source === 'notes'
                    ? '(the selected notes)'
                    : range?.source === 'clip'
                      ? '(the selected clip)'
                      : range?.source === 'loop'
                        ? '(the loop region)'
                        : ''}
                </span>
              </legend>
              <input
                type="number"
                aria-label="From bar"
                min={1}
                value={bars.fromBar}
                disabled={running}
                onChange={(e) =>
                  setRange(
                    fromBars(Number(e.target.value), Math.max(bars.toBar, Number(e.target.value)), bar),
                  )
                }
              />
              {' to '}
              <input
                type="number"
                aria-label="To bar"
                min={bars.fromBar}
                value={bars.toBar}
                disabled={running}
                onChange={(e) => setRange(fromBars(bars.fromBar, Number(e.target.value), bar))}
              />
              <button
                type="button"
                className="st-small"
                disabled={running}
                title="Use the notes or clip selected now, or the loop region"
                onClick={() => setRange(defaultRange(track, studio.view.get(), bar))}
              >
                From selection
              </button>
              {reach !== null && (
                <p className="st-muted st-small" data-testid="ai-writes-bars">
                  {plugin?.name} goes on from the last note in them, up to bar {reach}.
                </p>
              )}
            </fieldset>
          )}
          <label className="st-ai-param">
            <span>Variations</span>
            <input
              type="number"
              aria-label="Variations"
              min={1}
              max={MAX_VARIATIONS}
              value={variations}
              disabled={running}
              onChange={(e) =>
                setVariations(Math.max(1, Math.min(MAX_VARIATIONS, Math.round(Number(e.target.value)) || 1)))
              }
            />
          </label>
          {readOnly ? (
            <p className="st-muted st-small">
              You can hear the band’s suggestions; editors ask for new ones.
            </p>
          ) : (
            <button type="submit" className="st-primary" disabled={running || !plugin || !range}>
              {running ? 'Generating…' : 'Generate'}
            </button>
          )}
          {job.status === 'running' && (
            <div role="status" className="st-ai-progress" data-testid="ai-progress">
              <progress max={EXPECTED_MS} value={Math.min(elapsed, EXPECTED_MS)} aria-label="Generating" />
              <span className="st-small">
                {job.pluginName} is thinking… {(elapsed / 1000).toFixed(1)} s
              </span>
            </div>
          )}
          {job.status === 'failed' && (
            <div role="alert" className="st-ai-error" data-testid="ai-error">
              <p>{job.failure.message}</p>
              <p className="st-muted st-small">Nothing in the song changed; the studio keeps working.</p>
              {waitS > 0 && (
                <p className="st-small" data-testid="ai-retry-wait">
                  Busy, try again in {waitS} s.
                </p>
              )}
              {job.failure.retry && (
                <button type="button" disabled={waitS > 0} onClick={() => void generate()}>
                  Retry
                </button>
              )}
            </div>
          )}
        </form>
      )}

      <h3 className="st-ai-subhead">Suggestions on this track</h3>
      {proposals.length === 0 && <p className="st-muted st-small">None open.</p>}
      <ul className="st-ai-proposals">
        {[...proposals].reverse().map((proposal) => {
          const isShown = shown?.proposal.id === proposal.id
          const variation = isShown ? (shown?.variation ?? 0) : 0
          const span = toBars(proposal, bar)
          const chosen = proposal.variations[variation]
          return (
            <li
              key={proposal.id}
              data-testid="proposal"
              data-proposal-id={proposal.id}
              aria-current={isShown}
              className={isShown ? 'is-shown' : undefined}
              style={{ ['--who' as string]: colourFor(proposal.run.requestedBy) }}
            >
              <button
                type="button"
                className="st-ai-who"
                title="Show its ghost notes"
                onClick={() => studio.view.set({ aiFocus: { proposalId: proposal.id, variation } })}
              >
                <span aria-hidden>✦</span> {proposalLabel(proposal, variation)}
              </button>
              <span className="st-muted st-small">
                bars {span.fromBar}–{span.toBar}
                {chosen ? ` · ${chosen.label}` : ''}
              </span>
              {(proposal.reasons?.[variation]?.length ?? 0) > 0 && (
                <span className="st-small st-ai-why" data-testid="variation-reasons">
                  {variation === 0 ? 'First for your band' : `No. ${variation + 1} for your band`}:{' '}
                  {proposal.reasons?.[variation]?.join(' · ')}
                </span>
              )}
              {proposal.variations.length > 1 && (
                <fieldset className="st-seg" aria-label="Variation">
                  {proposal.variations.map((v, i) => (
                    <button
                      // biome-ignore lint/suspicious/noArrayIndexKey: variations are a fixed list; the index is their identity
                      key={i}
                      type="button"
                      aria-label={`Variation ${i + 1}: ${v.label}${proposal.reasons?.[i]?.length ? ` (${proposal.reasons[i]?.join(', ')})` : ''}`}
                      aria-pressed={isShown && variation === i}
                      className={isShown && variation === i ? 'is-on' : undefined}
                      onClick={() => studio.view.set({ aiFocus: { proposalId: proposal.id, variation: i } })}
                    >
                      {i + 1}
                    </button>
                  ))}
                </fieldset>
              )}
              <div className="st-row">
                <button type="button" onClick={() => audition(proposal, variation)}>
                  {auditioning === proposal.id ? '■ Stop' : '▶ Audition'}
                </button>
                {!readOnly && (
                  <>
                    <button
                      type="button"
                      className="st-primary"
                      onClick={() => studio.run(() => acceptShown(studio, proposal.id, variation))}
                    >
                      Accept
                    </button>
                    <button type="button" onClick={() => studio.run(() => dismissShown(studio, proposal.id))}>
                      Dismiss
                    </button>
                  </>
                )}
              </div>
            </li>
          )
        })}
      </ul>
    </aside>
  )
}
