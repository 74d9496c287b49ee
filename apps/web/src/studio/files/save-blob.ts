/** Hands bytes to the browser as a file download (the link is created, clicked and revoked at once). */
export function saveBlob(bytes: Uint8Array, type: string, filename: string): void {
  const blob = new Blob([bytes.slice().buffer], { type })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Characters no file system takes in a name (Windows' reserved set, which covers the others), and controls. */
const FORBIDDEN = /[<>:"/\\|?*\p{Cc}]+/gu

/**
 * A download's name from the song's title, as the musician wrote it: characters a file system refuses
 * become a dash, runs of spaces one space, leading and trailing dots, dashes and spaces go, and it is cut
 * to 120 characters. A title with nothing left names the file `Untitled`.
 */
export function fileNameFor(title: string, extension: string): string {
  const base =
    title
      .replace(FORBIDDEN, '-')
      .replace(/\s+/g, ' ')
      .replace(/^[\s.-]+|[\s.-]+$/g, '')
      .slice(0, 120)
      .trim() || 'Untitled'
  return `${base}.${extension}`
}
