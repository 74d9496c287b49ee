/**
 * PostgreSQL's defaults size a server for many backends: 128 MB of shared buffers that PGlite keeps
 * in its WebAssembly memory, where touched pages stay resident for the life of the process. The
 * embedded database is one backend serving a studio's group commits and room loads (small rows,
 * read once per room load; the data directory's pages stay in the OS's file cache besides), so a much
 * smaller cache costs nothing measurable: 16 MB saved ~110 MiB of the server's resident memory, 8 MB
 * another ~10 MiB (docs/BENCHMARKS.md, "Memory").
 */
export const EMBEDDED_SETTINGS = ['shared_buffers = 8MB', 'max_connections = 4']
