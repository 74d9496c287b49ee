'use client'

import { KEY_NAMES, PPQ } from '@ensemble/core/music'
import {
  ARCS,
  type Arc,
  BACKGROUND_STYLE_IDS,
  BACKGROUND_STYLES,
  type BackgroundStyle,
  fitLength,
  lengthSeconds,
  MAX_BARS,
  MAX_SECONDS,
  MIN_SECONDS,
  MOOD_PROFILES,
  MOODS,
  type Mood,
  WHY_NO_THREE_FOUR,
} from '@ensemble/plugins/background'
import { Wand2 } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { type FormEvent, useEffect, useState } from 'react'
import { api, messageOf } from '../../client/api/client'

/*
 * "New background track": the settings of the background maker, one click to a whole song. The browser
 * creates the song, asks the server (`ai.background`, which runs the models on the inference service and
 * writes the song as a proposal), then opens the studio, whose tab accepts it as this user
 * (studio/ai/background-arrival.ts). What the models were trained on is said beside the style.
 */

/** What each style's melody and drums come from (the models' cards, packages/plugins/src/*∕MODEL_CARD.md). */
const TRAINED_ON: Record<'chorale' | 'folk', string> = {
  chorale: 'melody and harmony from models trained on Bach chorales (JSB)',
  folk: 'melody from a model trained on 1,037 British and Irish folk tunes (Nottingham), harmony on Bach chorales',
}

type Stage =
  | { kind: 'idle' }
  | { kind: 'creating' }
  | { kind: 'composing'; since: number }
  | { kind: 'opening' }

export function BackgroundMaker({ onError }: { onError: (message: string) => void }) {
  const router = useRouter()
  const [open, setOpen] = useState(false)
  const [mood, setMood] = useState<Mood>('calm')
  const [style, setStyle] = useState<BackgroundStyle>('folk')
  const [fit, setFit] = useState(true)
  const [tempo, setTempo] = useState(100)
  const [tonic, setTonic] = useState<string>('any')
  const [unit, setUnit] = useState<'seconds' | 'bars'>('seconds')
  const [amount, setAmount] = useState(60)
  const [loop, setLoop] = useState(true)
  const [arc, setArc] = useState<Arc>('steady')
  const [stage, setStage] = useState<Stage>({ kind: 'idle' })
  const [now, setNow] = useState(() => Date.now())

  useEffect(() => {
    if (stage.kind !== 'composing') return
    const timer = setInterval(() => setNow(Date.now()), 250)
    return () => clearInterval(timer)
  }, [stage])

  const length = unit === 'seconds' ? { seconds: amount } : { bars: amount }
  const valid =
    unit === 'seconds'
      ? amount >= MIN_SECONDS && amount <= MAX_SECONDS
      : Number.isInteger(amount) && amount >= 1 && amount <= MAX_BARS
  const preview = valid ? fitLength({ mood, style, tempo: fit ? 'fit' : tempo, length }) : null
  const busy = stage.kind !== 'idle'

  const make = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    if (!valid || busy) return
    setStage({ kind: 'creating' })
    try {
      const name = `${mood[0]?.toUpperCase()}${mood.slice(1)} ${BACKGROUND_STYLES[style].label.toLowerCase()}`
      const { id } = await api.projects.create.mutate({ name })
      setStage({ kind: 'composing', since: Date.now() })
      await api.ai.background.mutate({
        projectId: id,
        mood,
        style,
        tempo: fit ? 'fit' : tempo,
        // The mood picks the mode; a chosen tonic keeps it (a sad song in D is in D minor).
        key: tonic === 'any' ? 'any' : { tonic, mode: MOOD_PROFILES[mood].mode },
        length,
        loop,
        arc,
      })
      setStage({ kind: 'opening' })
      router.push(`/songs/${id}`)
    } catch (err) {
      setStage({ kind: 'idle' })
      onError(messageOf(err))
    }
  }

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)} data-testid="background-open">
        <Wand2 size={16} aria-hidden /> New background track
      </button>
    )

  return (
    <form onSubmit={make} className="card background-maker" data-testid="background-maker">
      <h2>New background track</h2>
      <div className="row wrap">
        <label>
          Mood{' '}
          <select value={mood} onChange={(e) => setMood(e.target.value as Mood)} disabled={busy}>
            {MOODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Style{' '}
          <select value={style} onChange={(e) => setStyle(e.target.value as BackgroundStyle)} disabled={busy}>
            {BACKGROUND_STYLE_IDS.map((s) => (
              <option key={s} value={s}>
                {BACKGROUND_STYLES[s].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={fit} onChange={(e) => setFit(e.target.checked)} disabled={busy} />{' '}
          Fit tempo to length
        </label>
        {!fit && (
          <label>
            Tempo{' '}
            <input
              type="number"
              min={40}
              max={240}
              value={tempo}
              onChange={(e) => setTempo(Number(e.target.value))}
              disabled={busy}
              aria-label="Tempo (bpm)"
            />
          </label>
        )}
        <label>
          Key{' '}
          <select value={tonic} onChange={(e) => setTonic(e.target.value)} disabled={busy}>
            <option value="any">any</option>
            {KEY_NAMES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Length{' '}
          <input
            type="number"
            min={1}
            max={unit === 'seconds' ? MAX_SECONDS : MAX_BARS}
            value={amount}
            onChange={(e) => setAmount(Number(e.target.value))}
            disabled={busy}
            aria-label="Length"
          />
          <select
            value={unit}
            onChange={(e) => setUnit(e.target.value as 'seconds' | 'bars')}
            disabled={busy}
            aria-label="Length unit"
          >
            <option value="seconds">seconds</option>
            <option value="bars">bars</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} disabled={busy} />{' '}
          Loopable
        </label>
        <label>
          Intensity{' '}
          <select value={arc} onChange={(e) => setArc(e.target.value as Arc)} disabled={busy}>
            {ARCS.map((a) => (
              <option key={a} value={a}>
                {a.replaceAll('-', ' ')}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted">
        {BACKGROUND_STYLES[style].label}: {TRAINED_ON[BACKGROUND_STYLES[style].corpus]}; drums from a model
        trained on the Groove MIDI drummers ({BACKGROUND_STYLES[style].drums} groove). Only styles these
        datasets cover are offered.
      </p>
      <p className="muted" data-testid="background-metre">
        Metre: {WHY_NO_THREE_FOUR}
      </p>
      {preview?.clampedFrom !== undefined && (
        <p role="note" data-testid="background-tempo-note">
          {preview.clampedFrom} bpm is outside what {BACKGROUND_STYLES[style].label} was played at (
          {BACKGROUND_STYLES[style].tempo.join('–')} bpm): it will be made at {preview.bpm} bpm.
        </p>
      )}
      <p className="muted" data-testid="background-plan">
        {preview
          ? `${preview.lengthTicks / PPQ} beats at ${preview.bpm} bpm: ${lengthSeconds(preview).toFixed(1)} s, ${
              loop ? 'looping back into bar 1' : 'ending on a cadence'
            }.`
          : `A length of ${MIN_SECONDS}–${MAX_SECONDS} seconds or 1–${MAX_BARS} bars.`}
      </p>
      <div className="row">
        <button type="submit" className="primary" disabled={!valid || busy}>
          <Wand2 size={16} aria-hidden /> Make it
        </button>
        <button type="button" onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
        <span role="status" className="muted" data-testid="background-progress">
          {stage.kind === 'creating' && 'Creating the song…'}
          {stage.kind === 'composing' &&
            `Composing melody, harmony, bass and drums with the models… ${Math.round((now - stage.since) / 1000)} s`}
          {stage.kind === 'opening' && 'Opening the studio…'}
        </span>
      </div>
    </form>
  )
}
