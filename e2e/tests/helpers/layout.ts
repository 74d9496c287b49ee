import { expect, type Locator, type Page } from '@playwright/test'

/**
 * Layout checks that stand in for a person looking at a screenshot: text that does not fit its box,
 * a toolbar that wrapped, a control that spills out of its container.
 */

/**
 * Every visible button, link, label, heading or select on the page whose text is cut off or spills out:
 * its content is wider than its box, or (a select) its chosen option is wider than the select.
 */
export async function clippedText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const measure = document.createElement('canvas').getContext('2d')
    const found: string[] = []
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`
    for (const el of document.querySelectorAll<HTMLElement>('button, a, label, select, h1, h2, h3, output')) {
      const box = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue
      if (el instanceof HTMLSelectElement) {
        if (measure === null) continue
        const text = el.selectedOptions[0]?.text ?? ''
        measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`
        // Chromium draws the drop-down arrow in about 16 px inside the padding box.
        const needed =
          measure.measureText(text).width +
          Number.parseFloat(style.paddingLeft) +
          Number.parseFloat(style.paddingRight) +
          16
        if (needed > el.clientWidth + 1)
          found.push(`${name(el)} shows "${text}" in ${el.clientWidth}px, needs ${Math.ceil(needed)}px`)
        continue
      }
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
        found.push(`${name(el)}: content ${el.scrollWidth}px wide in a ${el.clientWidth}px box`)
    }
    return found
  })
}

export async function expectNoClippedText(page: Page, where: string): Promise<void> {
  expect(await clippedText(page), `clipped text on ${where}`).toEqual([])
}

/** A toolbar's visible items all sit on one row, side by side, and none is pushed out of its box. */
export async function expectOneRow(bar: Locator, what: string): Promise<void> {
  const rows = await bar.evaluate((el) => {
    const items = [...el.children]
      .map((c) => c.getBoundingClientRect())
      .filter((r) => r.width > 0 && r.height > 0)
    // An item on a second row starts below where the first row's shortest item ends.
    const firstRowBottom = Math.min(...items.map((r) => r.bottom))
    // Items in a row follow each other: one that starts before the previous one ends overlaps it.
    const overlapping = items.filter((r, i) => i > 0 && r.left < (items[i - 1]?.right ?? 0) - 0.5).length
    return {
      wrapped: items.filter((r) => r.top >= firstRowBottom).length,
      overlapping,
      overflow: Math.max(0, el.scrollWidth - el.clientWidth),
    }
  })
  expect(rows, `${what}: items on a second row, overlapping, or pushed out of the bar`).toEqual({
    wrapped: 0,
    overlapping: 0,
    overflow: 0,
  })
}

/** Every visible control inside `container` lies inside its box: nothing crosses its border. */
export async function expectInside(container: Locator, what: string): Promise<void> {
  const outside = await container.evaluate((el) => {
    const box = el.getBoundingClientRect()
    return [...el.querySelectorAll('button, select, input')]
      .filter((c) => {
        const r = c.getBoundingClientRect()
        if (r.width === 0 || r.height === 0) return false
        return r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5 || r.right > box.right + 0.5
      })
      .map((c) => c.getAttribute('aria-label') ?? c.textContent ?? c.tagName)
  })
  expect(outside, `${what}: controls crossing its border`).toEqual([])
}
