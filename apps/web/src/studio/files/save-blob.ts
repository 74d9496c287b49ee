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

/** A file name from the song title: letters, digits, dashes. */
export function fileNameFor(title: string, extension: string): string {
  const base =
    title
      .trim()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-|-$/g, '') || 'song'
  return `${base}.${extension}`
}
