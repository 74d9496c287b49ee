/**
 * An asset's id in the browser: the lowercase hex SHA-256 of the file's bytes (wire/assets.ts), the
 * same the server recomputes. Web Crypto has no incremental digest, so the file is read whole; fine
 * for takes and imports up to the server's limit (200 MiB by default).
 */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer())
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}
