import { RequireSignIn } from '../../../../auth/require-sign-in'
import { ProjectSettings } from './project-settings'

export default async function SettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return (
    <RequireSignIn>
      <ProjectSettings projectId={id} />
    </RequireSignIn>
  )
}
