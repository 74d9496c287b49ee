#!/usr/bin/env node
// The SDK ships TypeScript sources; tsx compiles them on the fly so the command works without a build step.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../src/cli/main.ts')
process.exitCode = await runCli(process.argv.slice(2))
