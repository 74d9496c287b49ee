import { RequireSignIn } from '../../../client/auth/require-sign-in'
import { PublisherPage } from './publisher'

export default function Page() {
  return (
    <RequireSignIn>
      <PublisherPage />
    </RequireSignIn>
  )
}
