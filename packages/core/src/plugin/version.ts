import semver from 'semver'

/**
 * The version of the contract this code implements. A manifest's `hostApi` range must include it. Bump the
 * minor for additions a plugin may use (new context helpers), the major for anything that breaks a plugin.
 */
export const PLUGIN_HOST_API = '1.0.0'

/** Strict semver, no leading `v` and no loose forms, so versions compare the same everywhere. */
export const isVersion = (value: string): boolean => semver.valid(value) === value

export const isVersionRange = (value: string): boolean => semver.validRange(value) !== null

export const versionSatisfies = (version: string, range: string): boolean =>
  semver.satisfies(version, range, { includePrerelease: false })

/** The highest of `versions` inside `range` (an exact version is a range too), or null. */
export const highestSatisfying = (versions: readonly string[], range: string): string | null =>
  semver.maxSatisfying([...versions], range)
