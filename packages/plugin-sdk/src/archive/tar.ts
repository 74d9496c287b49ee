import { Header, Pax } from 'tar'

/*
 * Writes a plain ustar stream in memory. Every header is fixed (mode 0644, owner 0, mtime 0), so packing the
 * same files gives the same bytes and the archive digest is reproducible across machines.
 */

const BLOCK = 512
const EPOCH = new Date(0)

function padded(data: Uint8Array): Uint8Array {
  const size = Math.ceil(data.length / BLOCK) * BLOCK
  if (size === data.length) return data
  const out = new Uint8Array(size)
  out.set(data)
  return out
}

export function writeTar(entries: readonly { path: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = []
  for (const { path, data } of entries) {
    const fields = {
      path,
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: data.length,
      mtime: EPOCH,
      type: 'File' as const,
      uname: '',
      gname: '',
    }
    const header = new Header(fields)
    const block = Buffer.alloc(BLOCK)
    // A path too long for ustar's name + prefix fields goes in a pax record before the header.
    if (header.encode(block, 0)) parts.push(new Pax({ path, mtime: EPOCH }).encode())
    parts.push(block, padded(data))
  }
  parts.push(new Uint8Array(BLOCK * 2))
  return Buffer.concat(parts)
}
