/**
 * The listening pages (docs/listening/<model>.md): for each first-party model and each style it was trained
 * on, what the plugin writes beside the real music it learnt from, from the valid splits. Each example is a
 * short mono WAV (22.05 kHz, 16-bit, rendered through core's Node render as the studio's export would), a
 * piano roll (SVG: the prompt grey, generated notes blue, real ones green) and the MIDI file.
 * Run by hand (not in CI; it reads ../shared/datasets and rewrites docs/listening/):
 *   pnpm --filter @ensemble/plugins exec tsx tools/listening.ts [--out DIR] [--jsb PATH] [--jsb-roll PATH]
 *     [--nottingham PATH] [--groove DIR] [--seed N]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  addClip,
  addTrack,
  createSongDoc,
  readSong,
  type SongSnapshot,
  setKey,
  setTempo,
  UserOrigin,
} from '@ensemble/core'
import { closeTone, encodeWav, renderSong } from '@ensemble/core/audio/node'
import { exportMidi } from '@ensemble/core/midi'
import { type PluginNote, PPQ, ticksPerBar } from '@ensemble/core/plugin'
import { initBackend } from '../src/common/backend.js'
import { defaultDataPath, numArg, parseArgs, repoRoot, resolveFromCwd } from '../src/common/cli.js'
import { estimateKey, gridPitches } from '../src/common/musical-checks.js'
import { gridToNotes, TICKS_PER_16TH } from '../src/common/steps.js'
import { getSplit as getRollSplit } from '../src/continue/data.js'
import { continuePlugin } from '../src/continue/plugin.js'
import { loadRolls } from '../src/continue/rolls-file.js'
import { loadBeats } from '../src/drums/beats-file.js'
import { DRUM_CLASSES, drumClassOf } from '../src/drums/data.js'
import { drumsPlugin } from '../src/drums/plugin.js'
import { DRUM_STYLES } from '../src/drums/sampling.js'
import { getSplit, loadChorales } from '../src/harmonizer/data.js'
import { harmonizerPlugin } from '../src/harmonizer/plugin.js'
import { harmonizerRequest, request, songKey, suggest, voiceNotes } from './music-report.js'

const BAR = ticksPerBar({ numerator: 4, denominator: 4 })
const RATE = 22_050
const me = new UserOrigin('listening')

interface Part {
  name: string
  kind: 'instrument' | 'drums'
  notes: PluginNote[]
}

/** One rendered example: the parts as they sound, and from which tick the notes are the model's or real. */
interface Example {
  file: string
  title: string
  bpm: number
  key: { tonic: string; mode: string }
  lengthTicks: number
  /** Notes before this tick are the prompt (grey in the roll); after it, generated or real. */
  promptEnd: number
  source: 'generated' | 'real'
  parts: Part[]
}

interface Section {
  heading: string
  text: string
  pairs: Array<{ label: string; generated: Example; real: Example }>
}

function song(ex: Example): SongSnapshot {
  const doc = createSongDoc({ title: ex.title })
  setTempo(doc, me, ex.bpm)
  setKey(doc, me, ex.key as Parameters<typeof setKey>[2])
  for (const part of ex.parts) {
    const trackId = addTrack(doc, me, {
      kind: part.kind,
      name: part.name,
      instrument: part.kind === 'drums' ? 'drum-kit' : 'piano',
    })
    const notes = part.notes.filter((n) => n.start < ex.lengthTicks)
    addClip(doc, me, trackId, {
      start: 0,
      length: ex.lengthTicks,
      notes: notes.map((n) => ({
        pitch: n.pitch,
        start: n.start,
        duration: Math.min(n.duration, ex.lengthTicks - n.start),
        velocity: n.velocity,
      })),
    })
  }
  return readSong(doc)
}

/** A piano roll: one row per pitch in range (per drum class for drums), bar lines, the prompt grey. */
function pianoRoll(ex: Example): string {
  const notes = ex.parts.flatMap((p) => p.notes.filter((n) => n.start < ex.lengthTicks))
  const drums = ex.parts.every((p) => p.kind === 'drums')
  const rowOf = (pitch: number) => (drums ? (drumClassOf(pitch) ?? 0) : pitch)
  const rows = notes.map((n) => rowOf(n.pitch))
  const [lo, hi] = drums ? [0, DRUM_CLASSES.length - 1] : [Math.min(...rows) - 1, Math.max(...rows) + 1]
  const rowH = drums ? 12 : 5
  const left = drums ? 84 : 28
  const pxPerTick = 640 / ex.lengthTicks
  const height = (hi - lo + 1) * rowH
  const y = (row: number) => (hi - row) * rowH
  const colour = (start: number) =>
    start < ex.promptEnd ? '#9aa0a6' : ex.source === 'generated' ? '#2b6cb0' : '#2f855a'
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + 644}" height="${height + 4}" viewBox="0 0 ${left + 644} ${height + 4}" font-family="sans-serif" font-size="10">`,
    `<title>${ex.title}: piano roll</title>`,
    `<rect x="${left}" y="0" width="640" height="${height}" fill="#fbfbfb" stroke="#ccc"/>`,
  ]
  for (let r = lo; r <= hi; r++) {
    if (drums) out.push(`<text x="2" y="${y(r) + rowH - 2}">${DRUM_CLASSES[r]?.name ?? ''}</text>`)
    else if (r % 12 === 0) out.push(`<text x="2" y="${y(r) + rowH}">C${r / 12 - 1}</text>`)
    if (!drums && r % 12 === 0)
      out.push(
        `<line x1="${left}" x2="${left + 640}" y1="${y(r) + rowH}" y2="${y(r) + rowH}" stroke="#e3e3e3"/>`,
      )
  }
  for (let t = 0; t <= ex.lengthTicks; t += BAR) {
    const x = left + t * pxPerTick
    out.push(
      `<line x1="${x}" x2="${x}" y1="0" y2="${height}" stroke="${t === ex.promptEnd ? '#555' : '#ccc'}"/>`,
    )
  }
  for (const n of notes) {
    const w = Math.max(2, Math.min(n.duration, ex.lengthTicks - n.start) * pxPerTick - 1)
    out.push(
      `<rect x="${(left + n.start * pxPerTick).toFixed(1)}" y="${y(rowOf(n.pitch)) + 0.5}" width="${w.toFixed(1)}" height="${rowH - 1}" fill="${colour(n.start)}"/>`,
    )
  }
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

async function write(dir: string, ex: Example): Promise<number> {
  const s = song(ex)
  const audio = await renderSong(s, { sampleRate: RATE, channels: 1, tailSeconds: 0.25 })
  const wav = encodeWav(audio, 'pcm16')
  writeFileSync(path.join(dir, `${ex.file}.wav`), wav)
  writeFileSync(path.join(dir, `${ex.file}.mid`), exportMidi(s))
  writeFileSync(path.join(dir, `${ex.file}.svg`), pianoRoll(ex))
  return wav.byteLength
}

const notesOfSuggestion = (s: unknown): PluginNote[] =>
  s && typeof s === 'object' && 'notes' in s ? (s as { notes: PluginNote[] }).notes : []

/** The harmonizer: a chorale's soprano for 2 bars, A, T, B by the plugin, against Bach's. */
async function harmonizerSection(file: string, seed: number): Promise<Section> {
  const reg = harmonizerPlugin()
  const chorales = getSplit(loadChorales(file), 'valid')
  const steps = 32
  const pairs: Section['pairs'] = []
  for (const index of [3]) {
    const piece = (chorales[index] ?? []).slice(0, steps).map((s) => [...s])
    const key = estimateKey(gridPitches(piece))
    const voice = (v: number) => voiceNotes(piece, v, 80)
    const melody = voice(0)
    const out = await suggest(
      reg,
      harmonizerRequest(key, melody, steps, { strictKey: true, avoidParallels: true }, seed + index),
    )
    const names = ['Alto', 'Tenor', 'Bass']
    const base = {
      bpm: 96,
      key: songKey(key),
      lengthTicks: 2 * BAR,
      promptEnd: 0,
    }
    pairs.push({
      label: `valid chorale ${index}, bars 1–2`,
      generated: {
        ...base,
        file: `harmonizer-chorale-${index}-generated`,
        title: `Harmonizer, chorale ${index}`,
        source: 'generated',
        parts: [
          { name: 'Soprano (given)', kind: 'instrument', notes: melody.map((n) => ({ ...n, velocity: 90 })) },
          ...out.suggestions.map((s, v) => ({
            name: names[v] ?? `Voice ${v + 2}`,
            kind: 'instrument' as const,
            notes: notesOfSuggestion(s),
          })),
        ],
      },
      real: {
        ...base,
        file: `harmonizer-chorale-${index}-real`,
        title: `Bach, chorale ${index}`,
        source: 'real',
        parts: [
          { name: 'Soprano', kind: 'instrument', notes: melody.map((n) => ({ ...n, velocity: 90 })) },
          ...[1, 2, 3].map((v) => ({
            name: names[v - 1] as string,
            kind: 'instrument' as const,
            notes: voice(v),
          })),
        ],
      },
    })
  }
  // The soprano is the prompt throughout; only A, T, B differ, so nothing is grey.
  return {
    heading: 'Chorale style (JSB chorales, 16th notes)',
    text: 'The soprano of a valid-split chorale (not seen in training) is given; the plugin writes alto, tenor and bass (temperature 0.8, stay in key and avoid parallels on: the plugin\u2019s defaults). Beside it, Bach\u2019s own voices.',
    pairs,
  }
}

/** Continue: the first 2 bars of a piece continued by 2, against the piece's real bars 3–4. */
async function continueSection(
  file: string,
  style: 'folk' | 'chorale',
  indices: number[],
  seed: number,
): Promise<Section> {
  const reg = continuePlugin()
  const frameTicks = style === 'folk' ? PPQ / 2 : PPQ
  const frames = (2 * BAR) / frameTicks
  const pieces = getRollSplit(loadRolls(file), 'valid')
  const pairs: Section['pairs'] = []
  for (const index of indices) {
    const piece = (pieces[index] ?? []).map((f) => [...f])
    const prompt = piece.slice(0, frames)
    const key = estimateKey(gridPitches(piece.slice(0, 2 * frames)))
    const promptNotes = gridToNotes(prompt, { startTick: 0, ticksPerStep: frameTicks, velocity: 80 })
    const out = await suggest(
      reg,
      request(
        key,
        { trackId: 'tune', kind: 'instrument', fromTick: 0, toTick: 4 * BAR, notes: promptNotes },
        { bars: 2, temperature: 1, style, strictKey: true },
        seed + index,
        1,
      ),
    )
    const real = gridToNotes(piece.slice(0, 2 * frames), {
      startTick: 0,
      ticksPerStep: frameTicks,
      velocity: 80,
    })
    const base = {
      bpm: style === 'folk' ? 150 : 132,
      key: songKey(key),
      lengthTicks: 4 * BAR,
      promptEnd: 2 * BAR,
    }
    const name = style === 'folk' ? 'tune' : 'chorale'
    pairs.push({
      label: `valid ${name} ${index}: bars 1–2 given, 3–4 continued`,
      generated: {
        ...base,
        file: `continue-${style}-${index}-generated`,
        title: `Continue, ${style} ${index}`,
        source: 'generated',
        parts: [
          {
            name: 'Piano',
            kind: 'instrument',
            notes: [...promptNotes, ...notesOfSuggestion(out.suggestions[0])],
          },
        ],
      },
      real: {
        ...base,
        file: `continue-${style}-${index}-real`,
        title: `${style === 'folk' ? 'Nottingham' : 'Bach'}, ${name} ${index}`,
        source: 'real',
        parts: [{ name: 'Piano', kind: 'instrument', notes: real }],
      },
    })
  }
  return style === 'folk'
    ? {
        heading: 'Folk style (Nottingham, 8th notes)',
        text: 'The first 2 bars of a valid-split tune (melody and chords, as the piano roll has them) are given; the plugin continues them by 2 bars (temperature 1, stay in key, folk style). Beside it, the tune\u2019s real bars 3\u20134.',
        pairs,
      }
    : {
        heading: 'Chorale style (JSB piano roll, quarter notes)',
        text: 'The first 2 bars of a valid-split chorale are given; the plugin continues them by 2 bars (temperature 1, stay in key, chorale style). Beside it, the chorale\u2019s real bars 3\u20134.',
        pairs,
      }
}

/** Drums: 2 bars of each style from nothing, against 2 bars of a validation beat of that style. */
async function drumsSection(dir: string, seed: number): Promise<Section> {
  const reg = drumsPlugin()
  const beats = loadBeats(dir, 'validation')
  const pairs: Section['pairs'] = []
  for (const [i, style] of DRUM_STYLES.entries()) {
    const out = await suggest(
      reg,
      request(
        { tonic: 0, mode: 'major' },
        { trackId: 'drums', kind: 'drums', fromTick: 0, toTick: 2 * BAR, notes: [] },
        { style, density: 0.5, bars: 2, temperature: 1, followRhythm: false },
        seed + i,
        1,
      ),
    )
    // The first beat of the style long enough for 2 bars after its first bar (a count-in is often sparse).
    const beat = beats.find((b) => b.style.split('/')[0] === style && b.hits.length >= 48)
    const real: PluginNote[] = []
    for (let t = 16; t < 48 && beat; t++)
      DRUM_CLASSES.forEach((c, k) => {
        if (((beat.hits[t] ?? 0) >> k) & 1)
          real.push({
            pitch: c.pitches[0] ?? 36,
            start: (t - 16) * TICKS_PER_16TH,
            duration: TICKS_PER_16TH,
            velocity: t % 4 === 0 ? 100 : 80,
          })
      })
    const base = { bpm: 140, key: { tonic: 'C', mode: 'major' }, lengthTicks: 2 * BAR, promptEnd: 0 }
    pairs.push({
      label: `${style}: the plugin from nothing; ${beat ? `\`${beat.file}\`, bars 2–3` : 'no validation beat'}`,
      generated: {
        ...base,
        file: `drums-${style}-generated`,
        title: `Drums, ${style}`,
        source: 'generated',
        parts: [{ name: 'Drums', kind: 'drums', notes: notesOfSuggestion(out.suggestions[0]) }],
      },
      real: {
        ...base,
        file: `drums-${style}-real`,
        title: `Groove MIDI, ${style}`,
        source: 'real',
        parts: [{ name: 'Drums', kind: 'drums', notes: real }],
      },
    })
  }
  return {
    heading: 'Styles (Groove MIDI, 16th notes)',
    text: 'The plugin writes 2 bars of each style it offers on an empty drums track (density 0.5, temperature 1). Beside it, bars 2\u20133 of a validation-split beat of the same style (velocities dropped and onsets on 16ths, as the model sees them).',
    pairs,
  }
}

function page(model: string, intro: string, sections: Section[]): string {
  const cell = (ex: Example) =>
    `![${ex.title}](${model}/${ex.file}.svg)<br>[WAV](${model}/${ex.file}.wav) · [MIDI](${model}/${ex.file}.mid)`
  const lines = [
    `# Listening: ${model}`,
    '',
    intro,
    '',
    'Regenerate (by hand, from the repository root; reads `../shared/datasets`): `pnpm --filter @ensemble/plugins exec tsx tools/listening.ts`.',
    'Audio: mono, 22.05 kHz, 16-bit WAV through core\u2019s offline render (the studio\u2019s synthesised piano and drum kit). Piano rolls: given notes grey, the model\u2019s blue, the real music\u2019s green.',
    '',
  ]
  for (const s of sections) {
    lines.push(`## ${s.heading}`, '', s.text, '', '| example | generated | real |', '|---|---|---|')
    for (const p of s.pairs) lines.push(`| ${p.label} | ${cell(p.generated)} | ${cell(p.real)} |`)
    lines.push('')
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    out: 'string',
    jsb: 'string',
    'jsb-roll': 'string',
    nottingham: 'string',
    groove: 'string',
    seed: 'string',
  })
  await initBackend()
  const data = (key: string, rel: string) =>
    args.get(key) ? resolveFromCwd(args.get(key) as string) : defaultDataPath(rel, `--${key}`)
  const out = args.get('out')
    ? resolveFromCwd(args.get('out') as string)
    : path.join(repoRoot(), 'docs', 'listening')
  const seed = numArg(args, 'seed', 1)
  const models = [
    {
      model: 'harmonizer',
      intro:
        'The harmonizer (`packages/plugins/src/harmonizer/MODEL_CARD.md`) was trained on one style: four-part Bach chorales.',
      sections: [await harmonizerSection(data('jsb', 'jsb-chorales/Jsb16thSeparated.json'), seed)],
    },
    {
      model: 'continue',
      intro:
        'The continue model (`packages/plugins/src/continue/MODEL_CARD.md`) was trained on two styles: Nottingham folk tunes and Bach chorales as piano rolls.',
      sections: [
        await continueSection(data('nottingham', 'piano-roll/Nottingham.json'), 'folk', [2], seed),
        await continueSection(data('jsb-roll', 'piano-roll/JSB_Chorales.json'), 'chorale', [5], seed),
      ],
    },
    {
      model: 'drums',
      intro:
        'The drums model (`packages/plugins/src/drums/MODEL_CARD.md`) was trained on the Groove MIDI Dataset; the plugin offers four of its styles.',
      sections: [await drumsSection(data('groove', 'groove-midi'), seed)],
    },
  ]
  let bytes = 0
  for (const m of models) {
    const dir = path.join(out, m.model)
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    for (const s of m.sections)
      for (const p of s.pairs) {
        bytes += await write(dir, p.generated)
        bytes += await write(dir, p.real)
      }
    writeFileSync(path.join(out, `${m.model}.md`), page(m.model, m.intro, m.sections))
    console.log(`${m.model}: ${path.relative(process.cwd(), dir)}`)
  }
  await closeTone()
  console.log(`wav_bytes ${bytes}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
