/**
 * How every e2e suite launches Debian's Chromium (never a downloaded browser): the config's default, and the
 * base of specs that launch it with more flags (the fake microphone). No side effects, so specs can import it.
 */
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
}
