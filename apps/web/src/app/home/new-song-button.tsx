'use client'

import { useRouter } from 'next/navigation'

export function NewSongButton() {
  const router = useRouter()
  return (
    <button type="button" className="primary" onClick={() => router.push(`/songs/${crypto.randomUUID()}`)}>
      New song
    </button>
  )
}
