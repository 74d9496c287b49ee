import { RequireSignIn } from '../../../../auth/require-sign-in'
import { FailuresPage } from './failures'

export default function Page() {
  return (
    <RequireSignIn>
      <FailuresPage />
    </RequireSignIn>
  )
}
