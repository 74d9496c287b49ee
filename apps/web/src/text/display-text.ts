import { z } from 'zod'

/*
 * Text a person types for others to read (a name, a label, a reason): trimmed, not empty, bounded, and free of
 * control and text-direction characters, which could hide or reorder what others see. Shared by every
 * server input that takes such text, so the rule and its messages are stated once.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to match control characters
const controlChars = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/

export const displayText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${what} cannot be empty`)
    .max(max, `${what} can be at most ${max} characters`)
    .refine((s) => !controlChars.test(s), `${what} cannot contain control or text-direction characters`)
