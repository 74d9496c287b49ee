import { test as base } from '@playwright/test'

export { expect } from '@playwright/test'

/**
 * Playwright's test, closing every browser context a test opened (`browser.newContext()`, `openSongAs`) once
 * it ends, passed or failed: a failing test otherwise leaves its studios live in Chromium (renderers, audio,
 * WebSockets) for the rest of the run. Every spec imports `test` and `expect` from here.
 */
export const test = base.extend<{ closeOpenedContexts: undefined }>({
  closeOpenedContexts: [
    async ({ browser }, use) => {
      const before = new Set(browser.contexts())
      await use(undefined)
      await Promise.all(browser.contexts().flatMap((c) => (before.has(c) ? [] : [c.close()])))
    },
    { auto: true },
  ],
})
