// `node --import @ensemble/plugin-sdk/register --test test/plugin.test.ts`: lets a plugin project's tests import
// TypeScript (its own and the SDK's) without a build step.
import { register } from 'tsx/esm/api'

register()
