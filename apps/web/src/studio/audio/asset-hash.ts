/** An asset's name: the lower-case hex SHA-256 of the file's bytes (the server recomputes and compares it). */
export async function assetHash(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}
