/*
 * The layer rules, checked on every `pnpm test` (scripts/test.mjs, step "layers"):
 *   apps → plugins → core. An app may import the plugins and core, the plugins only core, core neither.
 *   No import cycles between modules, and none between folders: two folders that import each other are one
 *   concept split in two, or two concepts tangled; either way a change to one drags the other along.
 * Run it alone with `pnpm run check:layers` (scripts/check-layers.mjs, which also holds the temporary
 * allowance for cycles other branches are removing).
 */

/**
 * The one import between apps: the web server calls the inference service through that service's own typed
 * tRPC client (its router type and the client factory, with the shared config), so a change to a procedure
 * breaks the web's build, not a request at run time. Nothing else of apps/inference may be imported.
 */
const INFERENCE_CLIENT = '^apps/inference/src/(client|config|testing)[.]ts$'

module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-layer-above',
      comment: 'core is the bottom layer: it may not import the plugins, the plugin SDK or an app.',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: { path: '^(packages/plugins|packages/plugin-sdk|apps)/' },
    },
    {
      name: 'plugins-import-no-app',
      comment: 'plugins sit between core and the apps: they may import core, never an app.',
      severity: 'error',
      from: { path: '^packages/(plugins|plugin-sdk)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-import-no-other-app',
      comment: 'apps talk over the network (tRPC), not through each other’s modules.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: ['^apps/$1/', INFERENCE_CLIENT] },
    },
    {
      name: 'no-module-cycle',
      comment: 'a module may not import itself back through others.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-folder-cycle',
      comment: 'two folders may not import each other (directly or through other folders).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      path: [
        'node_modules',
        '/\\.next/',
        '/dist/',
        '/\\.turbo/',
        '/\\.test-results/',
        '/weights/',
        '/fixtures/',
        '/samples/',
        '/templates/',
      ],
    },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    combinedDependencies: false,
  },
}
