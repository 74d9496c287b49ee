import { z } from 'zod'

import { displayText } from '../../text/display-text'

/**
 * Shared input shapes. Text goes through displayText (text/display-text.ts); everything else is
 * stored as typed and rendered as text by React, never as HTML.
 */

export const projectId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'not a project id')

export const projectName = displayText('Project name', 120)
export const versionName = displayText('Version name', 120)
