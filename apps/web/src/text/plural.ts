/** "1 note", "2 notes": a count with its noun, singular for one. Nouns here all take a plain "s". */
export const countOf = (n: number, noun: string): string => `${n} ${n === 1 ? noun : `${noun}s`}`
