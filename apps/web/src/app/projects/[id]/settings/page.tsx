import { requireMember } from '../../../../client/auth/require-member'
import { RequireSignIn } from '../../../../client/auth/require-sign-in'
import { ProjectSettings } from './project-settings'

export default async function SettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  await requireMember(id, `/projects/${id}/settings`)
  return (
    <RequireSignIn>
      <ProjectSettings projectId={id} />
    </RequireSignIn>
  )
}
