import { z } from 'zod'

/**
 * Shared input shapes. Text is trimmed, bounded and stripped of control characters (which only
 * ever serve to confuse a display); everything else is stored as typed and rendered as text by
 * React, never as HTML.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to match control characters
const controlChars = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/

export const projectId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'not a project id')

export const displayText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${what} cannot be empty`)
    .max(max, `${what} can be at most ${max} characters`)
    .refine((s) => !controlChars.test(s), `${what} cannot contain control or text-direction characters`)

export const projectName = displayText('Project name', 120)
export const versionName = displayText('Version name', 120)
