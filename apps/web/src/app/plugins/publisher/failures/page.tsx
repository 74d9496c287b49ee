import { RequireSignIn } from '../../../../client/auth/require-sign-in'
import { FailuresPage } from './failures'

export default function Page() {
  return (
    <RequireSignIn>
      <FailuresPage />
    </RequireSignIn>
  )
}
