import { requireMember } from '../../../client/auth/require-member'
import { RequireSignIn } from '../../../client/auth/require-sign-in'
import { Studio } from '../../../studio/studio'

/** Members only: anyone else gets a 404 before the studio loads. */
export default async function SongPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  await requireMember(id, `/songs/${id}`)
  return (
    <RequireSignIn>
      <Studio projectId={id} />
    </RequireSignIn>
  )
}
