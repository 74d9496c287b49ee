/**
 * PostgreSQL's defaults size a server for many backends: 128 MB of shared buffers that PGlite keeps
 * in its WebAssembly memory, where touched pages stay resident for the life of the process. The
 * embedded database is one backend serving a studio's group commits and room loads (small rows,
 * read once per room load), so a much smaller cache costs nothing measurable and saves ~130 MiB of
 * the server's resident memory (docs/BENCHMARKS.md, "Memory").
 */
export const EMBEDDED_SETTINGS = ['shared_buffers = 16MB', 'max_connections = 4']
