/** Architecture rules checked by `npm run depcheck` (part of `npm test`). */
const LIBS = 'shared|database|tenant|contact|channel|session|message|inbound|history-import|webhook|outbox|workflows';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-framework-free',
      comment: 'Domain code must not import Nest, TypeORM, Temporal, pg or HTTP libraries.',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/domain/' },
      to: { path: 'node_modules/(@nestjs|typeorm|@temporalio|pg|express|class-validator|class-transformer)/' },
    },
    {
      name: 'domain-depends-inward-only',
      comment: 'Domain code may import only other domain code (its own or the shared kernel).',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/domain/' },
      to: { path: '^libs/[^/]+/src/(application|infrastructure)/' },
    },
    {
      name: 'no-reaching-into-other-libs',
      comment: 'A lib or app uses another lib only through its index.ts (@app/<lib>), never its internals.',
      severity: 'error',
      from: { path: `^(apps/[^/]+|libs/(${LIBS}))/` },
      to: {
        path: `^libs/(${LIBS})/src/.+`,
        pathNot: ['^$1/', `^libs/(${LIBS})/src/index\\.ts$`, `^libs/(${LIBS})/src/testing/index\\.ts$`],
      },
    },
    {
      name: 'workflows-are-sandbox-safe',
      comment: 'Workflow files import only @temporalio/workflow, the contracts and pure helpers in workflows/.',
      severity: 'error',
      from: { path: '^libs/workflows/src/workflows/' },
      to: {
        pathNot: ['^libs/workflows/src/(workflows|contracts)/', 'node_modules/@temporalio/(workflow|common)/'],
      },
    },
    {
      name: 'contracts-are-pure',
      comment: 'Contracts are shared by workflow and Node code: only @temporalio/workflow or common types.',
      severity: 'error',
      from: { path: '^libs/workflows/src/contracts/' },
      to: { pathNot: ['^libs/workflows/src/contracts/', 'node_modules/@temporalio/(workflow|common)/'] },
    },
    {
      name: 'api-never-runs-activities',
      severity: 'error',
      from: { path: '^apps/api/' },
      to: { path: '(^libs/workflows/src/(activities|workflows)/|node_modules/@temporalio/worker/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.spec|\\.int-spec|\\.e2e-spec|\\.replay-spec)\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
