import { RequireSignIn } from '../../../client/auth/require-sign-in'
import { AcceptInvite } from './accept-invite'

export default async function InvitePage({ params }: { params: Promise<{ secret: string }> }) {
  const { secret } = await params
  return (
    <RequireSignIn>
      <AcceptInvite secret={secret} />
    </RequireSignIn>
  )
}
