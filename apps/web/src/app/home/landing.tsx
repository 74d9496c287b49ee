import {
  CloudCheck,
  Download,
  History as HistoryIcon,
  type LucideIcon,
  Piano,
  Sparkles,
  Users,
} from 'lucide-react'
import { Logo } from '../../brand/logo'

/** The arrangement the hero shows: what a band's song looks like in the studio a few minutes in. */
const DEMO_TRACKS: readonly {
  name: string
  colour: string
  clips: readonly (readonly [number, number])[]
  ai?: true
}[] = [
  {
    name: 'Keys',
    colour: '#60a5fa',
    clips: [
      [0, 4],
      [4, 4],
      [8, 4],
      [12, 4],
    ],
  },
  {
    name: 'Bass',
    colour: '#a78bfa',
    clips: [
      [0, 8],
      [8, 8],
    ],
  },
  {
    name: 'Drums',
    colour: '#f472b6',
    clips: [
      [0, 2],
      [2, 6],
      [8, 8],
    ],
  },
  {
    name: 'Lead',
    colour: '#fbbf24',
    clips: [
      [4, 4],
      [12, 4],
    ],
  },
  { name: 'Harmony (AI)', colour: '#6ee7b7', clips: [[4, 4]], ai: true },
]
const DEMO_BARS = 16

const FEATURES: readonly { icon: LucideIcon; title: string; text: string }[] = [
  {
    icon: Users,
    title: 'The whole band, one song',
    text: 'Everyone edits the same arrangement at once and sees each other’s cursors, selections and views.',
  },
  {
    icon: CloudCheck,
    title: 'Saved means saved',
    text: 'An edit shows as saved only once the server has stored it. Offline edits merge when you are back.',
  },
  {
    icon: Sparkles,
    title: 'AI bandmates',
    text: 'Ask for a harmony, a bass line or a drum groove; audition the ideas together and keep what fits.',
  },
  {
    icon: Piano,
    title: 'A real studio',
    text: 'Piano roll, step sequencer, mixer with meters, loops, metronome, MIDI keyboards and recording.',
  },
  {
    icon: HistoryIcon,
    title: 'Named versions',
    text: 'Keep the take you liked, preview it, and bring it back for everyone with one undoable step.',
  },
  {
    icon: Download,
    title: 'MIDI and WAV',
    text: 'Import MIDI files, export the song as MIDI with who wrote what, or render it to audio.',
  },
]

/** A still of the studio's arrangement, drawn with the studio's own colours; the playhead moves. */
function DemoArrangement() {
  return (
    <figure className="demo" aria-label="An arrangement in the Ensemble studio">
      <div className="demo-bar">
        <span className="demo-dot" />
        <span className="demo-dot" />
        <span className="demo-dot" />
        <span className="demo-title">Band practice · 112 BPM · 4/4 · A minor</span>
        <span className="demo-people">
          <span style={{ background: '#f472b6' }}>AL</span>
          <span style={{ background: '#60a5fa' }}>BO</span>
          <span style={{ background: '#fbbf24' }}>CA</span>
        </span>
      </div>
      <div className="demo-body">
        {DEMO_TRACKS.map((t) => (
          <div key={t.name} className={`demo-track${t.ai ? ' is-ai' : ''}`}>
            <span className="demo-name" style={{ borderColor: t.colour }}>
              {t.ai && <Sparkles size={12} aria-hidden />} {t.name}
            </span>
            <span className="demo-lane">
              {t.clips.map(([start, bars]) => (
                <span
                  key={start}
                  className="demo-clip"
                  style={{
                    left: `${(start / DEMO_BARS) * 100}%`,
                    width: `calc(${(bars / DEMO_BARS) * 100}% - 3px)`,
                    ['--track' as string]: t.colour,
                  }}
                />
              ))}
            </span>
          </div>
        ))}
        <span className="demo-playhead" />
        <span className="demo-cursor" style={{ ['--who' as string]: '#fbbf24' }}>
          Cam
        </span>
      </div>
    </figure>
  )
}

/** What a signed-out visitor sees: what Ensemble is, and the way in. */
export function Landing() {
  return (
    <div className="landing">
      <header className="app-bar">
        <Logo />
        <span className="grow" />
        <a href="/sign-in" className="button">
          Sign in
        </a>
        <a href="/sign-up" className="button primary">
          Create an account
        </a>
      </header>
      <main>
        <section className="hero">
          <div className="hero-text">
            <h1>Write songs together, in the browser.</h1>
            <p>
              Ensemble is a music studio for bands: everyone edits the same song at the same time, every edit
              is saved the moment the server confirms it, and AI bandmates suggest parts you audition
              together.
            </p>
            <div className="row">
              <a href="/sign-up" className="button primary large">
                Start a song
              </a>
              <a href="/sign-in" className="button large">
                I have an account
              </a>
            </div>
          </div>
          <DemoArrangement />
        </section>
        <section className="features" aria-label="Features">
          {FEATURES.map(({ icon: Icon, title, text }) => (
            <article key={title} className="card feature">
              <Icon size={22} aria-hidden className="notice-icon" />
              <h2>{title}</h2>
              <p className="muted">{text}</p>
            </article>
          ))}
        </section>
      </main>
    </div>
  )
}
