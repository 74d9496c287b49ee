/*
 * The layer rules, checked on every `pnpm test` (scripts/test.mjs, step "layers"):
 *   apps → plugins → core. An app may import the plugins and core, the plugins only core, core neither.
 *   No import cycles between modules, and none between folders: two folders that import each other are one
 *   concept split in two, or two concepts tangled; either way a change to one drags the other along.
 * Run it alone with `pnpm run check:layers`.
 */

/** Cycles between folders that other branches of issue #20 remove; the lead deletes these after merging. */
const TEMPORARY_FOLDER_CYCLES = [
  // TEMPORARY (issue #20, AI-flow branch): server/ai ↔ server/registry.
  '^apps/web/src/server/(ai|registry)/',
  // TEMPORARY (issue #20, AI-flow branch): studio/ai ↔ studio/commands.
  '^apps/web/src/studio/(ai|commands)/',
]

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
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-module-cycle',
      comment: 'a module may not import itself back through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'two folders may not import each other (directly or through other folders).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
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
