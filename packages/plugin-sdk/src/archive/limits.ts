/** The whole `.ensemble-plugin` file as uploaded (gzip'd). */
export const MAX_ARCHIVE_BYTES = 8 * 1024 * 1024
/** Unpacked size, so a small gzip bomb cannot fill memory; weights barely compress, so this is generous. */
export const MAX_UNPACKED_FACTOR = 4
/** The one ES-module bundle: a plugin's code, not its models. */
export const MAX_BUNDLE_BYTES = 1024 * 1024
/** manifest.json and integrity.json each. */
export const MAX_JSON_BYTES = 256 * 1024
/** More entries than any valid plugin can have (3 + 8 assets × (1 + 64 weights)), refused before reading on. */
export const MAX_ENTRIES = 3 + 8 * 65
