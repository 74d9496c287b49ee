import type { PluginKind } from '@ensemble/core/plugin'

/*
 * The files `ensemble-plugin create` writes. The manifest lives in code, in `definePlugin({ manifest })`: one
 * declaration that types `suggest`'s parameters and that `pack` writes out as manifest.json, so the two can
 * never drift apart.
 */

/** The kinds `create` scaffolds: a live partner runs only in the studio's first-party host for now. */
export type ScaffoldKind = Exclude<PluginKind, 'live'>
export const SCAFFOLD_KINDS: readonly ScaffoldKind[] = ['generator', 'arranger', 'harmonizer']

export interface TemplateOptions {
  id: string
  name: string
  kind: ScaffoldKind
  /** The npm package name of the project (the folder's name, lower-cased). */
  packageName: string
  sdkVersion: string
}

const description: Record<ScaffoldKind, string> = {
  generator: 'Writes a melody in the song key, a random walk on the scale.',
  harmonizer: 'Adds a diatonic harmony line a third or a sixth from each note of the track.',
  arranger: "Adds a bass track playing each bar's diatonic root.",
}

const trackKinds: Record<ScaffoldKind, string> = {
  generator: "['instrument']",
  harmonizer: "['instrument']",
  arranger: "['instrument', 'drums']",
}

const parameters: Record<ScaffoldKind, string> = {
  generator: `[
      { id: 'density', type: 'float', label: 'Density', min: 0.1, max: 1, default: 0.6, step: 0.05 },
      { id: 'octave', type: 'int', label: 'Octave', min: 3, max: 6, default: 5 },
    ]`,
  harmonizer: `[
      {
        id: 'interval',
        type: 'choice',
        label: 'Interval',
        default: 'third',
        options: [
          { value: 'third', label: 'Third' },
          { value: 'sixth', label: 'Sixth' },
        ],
      },
      { id: 'below', type: 'bool', label: 'Below the melody', default: false },
    ]`,
  arranger: `[{ id: 'octave', type: 'int', label: 'Bass octave', min: 1, max: 3, default: 2 }]`,
}

const body: Record<ScaffoldKind, string> = {
  generator: `  suggest(input, ctx) {
    const { song, target, parameters } = input
    const length = target.toTick - target.fromTick
    const low = 12 * (parameters.octave + 1)
    const pitches = ctx.theory.scalePitches(song.key, low, low + 12)
    const step = 240 // an eighth note: ticks are 480 per quarter
    const suggestions = []
    for (let v = 0; v < input.variations; v++) {
      // One random stream per variation, so variation 2 is the same whether or not 1 was asked for.
      const random = ctx.fork(v)
      let index = Math.floor(random() * pitches.length)
      const notes = []
      for (let start = 0; start + step <= length; start += step) {
        if (random() > parameters.density) continue
        index = Math.min(pitches.length - 1, Math.max(0, index + Math.floor(random() * 5) - 2))
        notes.push({ pitch: pitches[index]!, start, duration: step, velocity: 70 + Math.floor(random() * 30) })
      }
      suggestions.push({ label: \`Walk \${v + 1}\`, notes })
    }
    return { suggestions }
  },`,
  harmonizer: `  suggest(input, ctx) {
    const { song, target, parameters } = input
    // Scale steps: a third is two steps along the scale, a sixth five.
    const steps = (parameters.interval === 'third' ? 2 : 5) * (parameters.below ? -1 : 1)
    const scale = ctx.theory.scalePitches(song.key, 0, 127)
    const notes = target.notes.flatMap((note) => {
      const at = scale.indexOf(ctx.theory.snapToScale(note.pitch, song.key))
      const pitch = scale[at + steps]
      return pitch === undefined ? [] : [{ ...note, pitch }]
    })
    return { suggestions: [{ label: \`A \${parameters.interval} \${parameters.below ? 'below' : 'above'}\`, notes }] }
  },`,
  arranger: `  suggest(input, ctx) {
    const { song, target, parameters } = input
    const bar = ctx.theory.ticksPerBar(song.timeSignature)
    const length = target.toTick - target.fromTick
    const tonic = ctx.theory.pitchClassOf(song.key.tonic)
    const degrees = [1, 4, 5, 1]
    const notes = []
    // Bars counted from the song's start, so the progression keeps its place wherever the window sits.
    for (let start = 0; start < length; start += bar) {
      const barIndex = Math.floor((target.fromTick + start) / bar)
      const [root] = ctx.theory.diatonicChord(song.key, degrees[barIndex % degrees.length]!)
      const pitch = 12 * (parameters.octave + 1) + ((root! - tonic + 12) % 12) + tonic
      notes.push({ pitch, start, duration: Math.min(bar, length - start), velocity: 90 })
    }
    return {
      suggestions: [{ label: 'Roots', tracks: [{ name: 'Bass', kind: 'instrument', instrument: 'bass', notes }] }],
    }
  },`,
}

export function pluginSource(o: TemplateOptions): string {
  return `import { definePlugin } from '@ensemble/plugin-sdk'

export default definePlugin({
  manifest: {
    id: ${JSON.stringify(o.id)},
    name: ${JSON.stringify(o.name)},
    version: '0.1.0',
    hostApi: '^1.0.0',
    kind: ${JSON.stringify(o.kind)},
    description: ${JSON.stringify(description[o.kind])},
    author: 'You',
    licence: 'MIT',
    trackKinds: ${trackKinds[o.kind]},
    parameters: ${parameters[o.kind]},
    assets: [],
    capabilities: ['theory'],
  },
${body[o.kind]}
})
`
}

export function testSource(): string {
  return `import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runPlugin } from '@ensemble/plugin-sdk'
import { loadSamples } from '@ensemble/plugin-sdk/samples'
import plugin from '../src/plugin'

// Runs the plugin natively against the SDK's sample songs, for a quick loop while editing;
// \`ensemble-plugin test\` runs the bundle in the same sandbox the studio uses.
for (const sample of loadSamples()) {
  if (!plugin.manifest.trackKinds.includes(sample.input.target.kind)) continue
  test(\`\${sample.name}: valid and the same for the same seed\`, async () => {
    const first = await runPlugin(plugin, sample.input)
    const again = await runPlugin(plugin, sample.input)
    assert.deepEqual(again, first)
    assert.ok(first.suggestions.length <= sample.input.variations)
  })
}
`
}

export function packageJson(o: TemplateOptions): string {
  const pkg = {
    name: o.packageName,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      validate: 'ensemble-plugin validate',
      test: 'ensemble-plugin test && node --import @ensemble/plugin-sdk/register --test test/plugin.test.ts',
      pack: 'ensemble-plugin pack',
      publish: 'ensemble-plugin publish',
    },
    dependencies: { '@ensemble/plugin-sdk': `^${o.sdkVersion}` },
  }
  return `${JSON.stringify(pkg, null, 2)}\n`
}

export function tsconfig(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['src', 'test'],
  }
  return `${JSON.stringify(config, null, 2)}\n`
}

export function readme(o: TemplateOptions): string {
  return `# ${o.name}

An Ensemble ${o.kind} plugin (\`${o.id}\`), built with \`@ensemble/plugin-sdk\`.

- \`src/plugin.ts\` — the manifest (in \`definePlugin({ manifest })\`) and \`suggest\`.
- \`assets/\` — model files named in the manifest's \`assets\` (none yet).
- \`samples/\` — optional extra songs (\`SuggestInput\` JSON) for \`ensemble-plugin test\`.

\`\`\`sh
npm install                 # installs @ensemble/plugin-sdk and its ensemble-plugin command
npx ensemble-plugin validate
npx ensemble-plugin test    # runs the bundle in the studio's sandbox against sample songs
npx ensemble-plugin pack    # writes dist/${o.id}-0.1.0.ensemble-plugin and prints every digest
npx ensemble-plugin publish --registry https://studio.example.org --token $ENSEMBLE_PUBLISH_TOKEN
\`\`\`

Inside the bundle, \`@ensemble/plugin-sdk\` provides \`definePlugin\`, the theory helpers and \`createRandom\`;
everything else a plugin needs comes through \`ctx\` (\`ctx.random\`, \`ctx.fork\`, \`ctx.theory\`, \`ctx.models\`).
No file system, network, timers or \`process\`: the studio runs the code in a QuickJS sandbox.
`
}

export function gitignore(): string {
  return 'node_modules/\ndist/\n'
}
