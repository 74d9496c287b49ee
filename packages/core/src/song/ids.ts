import { uuidv4 } from 'lib0/random'

/**
 * Ids for tracks, clips and notes. lib0's generator works in insecure browser contexts too, where
 * `crypto.randomUUID` is missing (a LAN address over plain http).
 */
export const newId = (): string => uuidv4()
