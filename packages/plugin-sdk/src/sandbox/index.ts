/**
 * The sandbox third-party plugins run in (the inference service and the CLI's `test` command use this one):
 * QuickJS compiled to WebAssembly, a fresh context per call, limits on memory, stack, time and output, and
 * nothing of the host inside but the plugin's narrow context. Read run.ts first, then inside.ts.
 */
export { BundleError, bundlePlugin } from './bundle'
export { discardSandboxEngine, sandboxEngine, setSandboxMemoryCeiling } from './engine'
export { SANDBOX_ERROR_CODES, SandboxError, type SandboxErrorCode, type SandboxIssue } from './errors'
export {
  type BundleCheckOptions,
  checkBundle,
  DEFAULT_SANDBOX_LIMITS,
  runInSandbox,
  type SandboxHost,
  type SandboxLimits,
  type SandboxRunOptions,
} from './run'
