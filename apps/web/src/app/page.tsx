import { Home } from './home/home'

export default function HomePage() {
  return <Home />
}
