/**
 * Import boundaries (STYLE.md §1–2, §13a): stages are reached only through their index.ts, stages
 * never import the CLI, the front door (app) or the server's internals, and there are no cycles.
 * `npm run lint` checks them; .ci/run fails on a break.
 */
const stage = '(checkins|digest|features|ingest|koski|model|pipeline|privacy|report|synth|triggers|web)';
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Stages depend downwards; a cycle means two rooms own each other.',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      // A type-only cycle (a renderer naming its builder's result type) has no runtime effect.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'stage-through-its-index',
      severity: 'error',
      comment: "Another stage is reached through its index.ts (mosaic's curated index), or its schema.ts for its migrations only, or ingest's file-scan.ts (the light door through which the CLI starts reading a file before DuckDB loads) — never another file inside it.",
      from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: `^src/${stage}/(?!(index|schema|file-scan)\\.ts$)`, pathNot: '^src/$1/' },
    },
    {
      name: 'front-door-below-cli-only',
      severity: 'error',
      comment: 'Only the CLI and tests open the warehouse through app/; stages never import app/ or cli/.',
      from: { path: `^src/${stage}/`, pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(app|cli)/' },
    },
    {
      name: 'scripts-use-public-surfaces',
      severity: 'error',
      comment: "Benchmarks, evaluations and screenshots use what a stage publishes (its index.ts), the front door, and the shared core and db modules — never a stage's insides, the CLI's or the tests' helpers.",
      from: { path: '^scripts/' },
      to: { path: '^src/', pathNot: [`^src/(${stage.slice(1, -1)}|app)/index\\.ts$`, '^src/(core|db)/[^/]+\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
