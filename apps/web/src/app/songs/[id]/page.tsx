import { Studio } from '../../../studio/studio'

export default async function SongPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return <Studio projectId={id} />
}
