import { Suspense } from 'react'
import { AuthForm } from '../../client/auth/auth-form'

export default function SignInPage() {
  return (
    <Suspense>
      <AuthForm mode="sign-in" />
    </Suspense>
  )
}
