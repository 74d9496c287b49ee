import { RequireSignIn } from '../../client/auth/require-sign-in'
import { PluginGallery } from './gallery'

export default async function PluginsPage({ searchParams }: { searchParams: Promise<{ project?: string }> }) {
  const { project } = await searchParams
  return (
    <RequireSignIn>
      <PluginGallery initialProjectId={typeof project === 'string' ? project : null} />
    </RequireSignIn>
  )
}
