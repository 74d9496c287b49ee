import { AudioWaveform } from 'lucide-react'

/** The product's mark and name, linking home: the same on every page and in the studio. */
export function Logo({ size = 20 }: { size?: number }) {
  return (
    <a href="/" className="logo" aria-label="Ensemble home">
      <AudioWaveform size={size} aria-hidden strokeWidth={2.25} />
      <span>Ensemble</span>
    </a>
  )
}
