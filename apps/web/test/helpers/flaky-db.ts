import type { Db } from '../../src/server/db'

/**
 * The real database, except that the update log's writes fail while `down` is set: the statements
 * `appendUpdates` sends through the driver (`$client`), transactions (compaction) and raw
 * statements. Reads through the query builder keep working, as they would on a replica that is
 * still up.
 */
export function flakyDb(db: Db): { db: Db; setDown: (down: boolean) => void } {
  let down = false
  const fail = () => Promise.reject(new Error('database is down (test)'))
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      if (down && (prop === 'transaction' || prop === 'execute')) return fail
      if (down && prop === '$client') return { query: fail }
      return Reflect.get(target, prop, receiver)
    },
  })
  return { db: proxy, setDown: (d) => (down = d) }
}
