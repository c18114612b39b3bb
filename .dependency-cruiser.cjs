// The map of Tally's architecture, enforced by `npm run lint:deps` (part of `npm test`).
//
// Modules are layered: each may use the modules listed before it, never one after it. The
// composition root (src/app.ts, src/cli.ts, src/check.ts) sits above them all and
// wires them together. A module is used through its public face (its index.ts) only; its other
// files are its own. docs/architecture.md draws the same graph.
const LAYERS = [
  'platform', // config, database, HTTP plumbing, jobs, time: imports no module
  'chain', // EVM access: addresses, signatures, token transfers and their receipts
  'provider', // the reference storage provider (`tally provider ipfs`): a separate service, no database
  'ledger', // the event log, sealed blocks, signed heads
  'stream', // committed events published to NATS JetStream in the ledger's order
  'identity', // users, sessions, API keys
  'accounts', // accounts, membership, invitations, access decisions
  'metering', // metering points and readings
  'registry', // devices, issuance, certificate bundles and their actions
  'storage', // storage charge and discharge records, their allocation, SD-GCs issued through the registry
  'disclosure', // public hourly disclosures
  'community', // energy communities: matching, settlement, certificates
  'market', // the forecasting data market: resources, sessions, bids, the engine, payments
  'uploader', // Ocean's uploader API: storage providers, quotes, signed uploads streamed to them
  'publications', // Tally's own documents put on decentralised storage through the uploader
  'faces', // other systems' wire formats (DSBI's), translated onto the modules below
  'demo', // the demo world `tally seed` builds, from one profile library
];

const above = (i) => LAYERS.slice(i + 1);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle between files (and so between modules) means two things that cannot be understood apart.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...LAYERS.map((layer, i) => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `${layer} may use ${LAYERS.slice(0, i).join(', ') || 'no module'}; never a module above it or the composition root.`,
      from: { path: `^src/${layer}/` },
      to: { path: [`^src/(${above(i).join('|') || '$^'})/`, '^src/[^/]+\\.ts$'] },
    })),
    {
      name: 'no-deep-import',
      severity: 'error',
      comment:
        "Another module is reached through its index.ts; its other files are its own (platform's files are the ground floor's public parts).",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/platform/'] },
    },
    {
      name: 'root-through-index',
      severity: 'error',
      comment: 'The composition root uses each module through its index.ts too.',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/[^/]+/.+', pathNot: ['^src/[^/]+/index\\.ts$', '^src/platform/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/platform/http/vendor/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
