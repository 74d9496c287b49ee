import { RequireSignIn } from '../../../auth/require-sign-in'
import { Studio } from '../../../studio/studio'

/** Signed-in users only; membership is checked by the API when the studio asks for its room token. */
export default async function SongPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return (
    <RequireSignIn>
      <Studio projectId={id} />
    </RequireSignIn>
  )
}
