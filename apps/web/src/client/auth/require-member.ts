import { headers } from 'next/headers'
import { notFound, redirect } from 'next/navigation'
import { projectAccess } from '../../server/page-access'

/**
 * For a project's pages, on the server before anything renders: a signed-out visitor goes to sign in
 * and comes back; anyone who is not a member gets the 404 page (status 404), the same answer as for a
 * project that does not exist, as the API gives.
 */
export async function requireMember(projectId: string, path: string): Promise<void> {
  const access = await projectAccess(await headers(), projectId)
  if (access === 'signed-out') redirect(`/sign-in?next=${encodeURIComponent(path)}`)
  if (access === 'none') notFound()
}
