// Layers of kdiag's source, lowest first. A module may import its own layer and the
// layers below it, never one above (checked in `npm test` through `npm run lint`):
//
//   types     errors.ts, validate.ts, snapshot.ts, interrupt.ts, gateway/types.ts — kdiag's
//             words for Kubernetes objects and failures, and who exits on a signal; no I/O
//   report    report/**, config.ts — findings, codes, fix builder, renderers
//   shared    checks/lib/**, checks/data/** — pure helpers the analyses share
//   netpol    netpol/**   — NetworkPolicy semantics
//   checks    checks/**   — per-area analyses (Services, Ingress, NetworkPolicy, DNS)
//   trace     trace/**    — one request's path through Ingress → Service → Pod
//   gateway   gateway/**  — Gateway API analysis and trace (reuses checks and trace)
//   probes    probes/**   — probe plans, pod specs, the probe state machine, interpretation
//   dataplane dataplane/** — differential probing verdicts, hairpin, kube-proxy/enforcer recognition
//   cluster   cluster/**  — the API: kubeconfig, paged lists, watches, probe pods;
//                           the only layer that imports @kubernetes/client-node at run time
//   engine    engine/**   — runs analyses and probes against the cluster (check registry,
//                           probe orchestration)
//   fleet     fleet/**    — one command run against several contexts (--context a,b / --all-contexts)
//   cli       base-command.ts, help.ts, commands/**, hooks/**, completion/** — oclif
//
// Analysis layers (types … probes) therefore never reach the cluster or the commands.
// Type-only imports count like any other (they couple the code just the same), except
// client-node's model types, which analyses still borrow until kdiag has narrow read types.
const LAYERS = [
  ['types', '^src/(errors|validate|snapshot|interrupt)[.]ts$|^src/gateway/types[.]ts$'],
  ['report', '^src/report/|^src/config[.]ts$'],
  ['shared', '^src/checks/(lib|data)/'],
  ['netpol', '^src/netpol/'],
  ['checks', '^src/checks/'],
  ['trace', '^src/trace/'],
  ['gateway', '^src/gateway/'],
  ['probes', '^src/probes/'],
  ['dataplane', '^src/dataplane/'],
  ['cluster', '^src/cluster/'],
  ['engine', '^src/engine/'],
  ['fleet', '^src/fleet/'],
  ['cli', '^src/(base-command|help)[.]ts$|^src/(commands|hooks|completion)/'],
];

const layerRules = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer-${name}`,
  severity: 'error',
  comment: `${name} imports a higher layer (${LAYERS.slice(i + 1)
    .map(([n]) => n)
    .join(', ')}); see the layer list at the top of .dependency-cruiser.cjs`,
  from: { path, pathNot: LAYERS.slice(0, i).map(([, p]) => p) },
  to: { path: LAYERS.slice(i + 1).map(([, p]) => p), pathNot: LAYERS.slice(0, i + 1).map(([, p]) => p) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'every-module-has-a-layer',
      severity: 'error',
      comment: 'a new folder or top-level file under src/ needs a place in LAYERS',
      from: { path: '^src/', pathNot: LAYERS.map(([, p]) => p) },
      to: {},
    },
    {
      name: 'client-node-only-in-cluster',
      severity: 'error',
      comment: '@kubernetes/client-node is loaded only by src/cluster/ (type-only imports aside)',
      from: { path: '^src/', pathNot: '^src/cluster/' },
      to: { path: 'node_modules/@kubernetes/client-node/', dependencyTypesNot: ['type-only', 'type-import'] },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'two folders import each other (directly or through others)',
      scope: 'folder',
      from: { path: '^src/.+' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      comment: 'modules import each other in a cycle',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
