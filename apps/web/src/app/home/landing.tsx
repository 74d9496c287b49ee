/** What a signed-out visitor sees. */
export function Landing() {
  return (
    <main style={{ maxWidth: 720, margin: '12vh auto', padding: '0 24px' }}>
      <h1 style={{ fontSize: 40, marginBottom: 8 }}>Ensemble</h1>
      <p style={{ color: 'var(--muted)', fontSize: 18, lineHeight: 1.5 }}>
        Write songs together in the browser. Everyone in the band edits the same song at once, every edit is
        saved the moment the server confirms it, and AI bandmates suggest parts you can audition together.
      </p>
      <div style={{ display: 'flex', gap: 12, marginTop: 24 }}>
        <a href="/sign-up">
          <button type="button" className="primary">
            Create an account
          </button>
        </a>
        <a href="/sign-in">
          <button type="button">Sign in</button>
        </a>
      </div>
    </main>
  )
}
