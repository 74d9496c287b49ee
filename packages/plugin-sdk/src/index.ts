/**
 * The Ensemble plugin SDK: the public plugin contract (re-exported from the studio's core, so a
 * plugin and the host can never disagree on it), plus the tools to test, pack and publish.
 */
export * from '@ensemble/core/plugin'
