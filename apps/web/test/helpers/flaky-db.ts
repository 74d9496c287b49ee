import type { Db } from '../../src/server/db'

/**
 * The real database, except that the update log's writes fail while `down` is set: transactions
 * (several rooms in one group commit, compaction) and raw statements (one room's group commit).
 * Reads through the query builder keep working, as they would on a replica that is still up.
 */
export function flakyDb(db: Db): { db: Db; setDown: (down: boolean) => void } {
  let down = false
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      if ((prop === 'transaction' || prop === 'execute') && down)
        return () => Promise.reject(new Error('database is down (test)'))
      return Reflect.get(target, prop, receiver)
    },
  })
  return { db: proxy, setDown: (d) => (down = d) }
}
