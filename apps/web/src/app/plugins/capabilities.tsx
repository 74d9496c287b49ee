/**
 * What a third-party plugin may do, in words a musician can judge before installing it. Every plugin
 * runs in the inference service's sandbox (no network, files, timers or account); the capabilities
 * are the only doors it has, so the dialog lists exactly those and what every plugin receives.
 */

export const capabilityText: Record<string, string> = {
  models: 'Run the models it ships with on the studio’s AI service',
  theory: 'Use the studio’s music-theory helpers (scales, chords, keys)',
}

export function CapabilityList({
  capabilities,
  models,
}: {
  capabilities: readonly string[]
  models: readonly string[]
}) {
  return (
    <ul data-testid="capabilities" style={{ margin: '4px 0', paddingLeft: 20 }}>
      <li>
        Read the part of the track you ask it about, the song’s tempo, key and time signature, and the other
        tracks in that range
      </li>
      {capabilities.map((c) => (
        <li key={c} data-testid="capability" data-capability={c}>
          {capabilityText[c] ?? c}
          {c === 'models' && models.length > 0 && (
            <span style={{ color: 'var(--muted)' }}> ({models.join(', ')})</span>
          )}
        </li>
      ))}
      <li>Suggest notes that stay proposals until someone accepts them</li>
    </ul>
  )
}

export const sandboxNote =
  'It runs sandboxed on the studio’s server: no network, no files, no access to your account or other songs.'
