// netlab's layers, lowest first: each folder of src/ may import only itself and the folders its rule allows.
// `npm run lint:layers` checks them over src/, labs/, scripts/ and bin/ (and .ci/run runs it); src/e2e/ is
// netlab run as a user runs it and may import anything.
const LAYERS = {
  core: [],
  runtime: ["core"],
  probes: ["core", "runtime"],
  lifecycle: ["core", "runtime", "probes"],
  report: ["core"],
  check: ["core", "runtime", "probes", "lifecycle", "report"],
  practice: ["core", "runtime", "probes", "lifecycle", "report", "check"],
  harness: ["core", "runtime", "probes", "lifecycle", "report", "check", "practice"],
  cli: ["core", "runtime", "probes", "lifecycle", "report", "check", "practice", "harness"],
};

const layerRules = Object.entries(LAYERS).map(([layer, below]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only ${below.length ? below.map((name) => `src/${name}/`).join(", ") : "itself"}`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: "^src/", pathNot: [`^src/${layer}/`, ...below.map((name) => `^src/${name}/`)] },
}));

// What only tests use: tests, their helpers (*-test-helpers.ts) and fixtures, and src/e2e/. None of it is
// built into dist/, so nothing that is built may import it.
const TEST_ONLY = "\\.test\\.ts$|-test-helpers\\.ts$|/fixtures/|^src/e2e/";

// bin/ is the command's entry and scripts/ the project's own tools (build, bench, soak): both stand above src/.
const edgeRules = [
  {
    name: "src-not-bin",
    comment: "src/ never imports bin/: the command's entry starts src/, never the other way round (a test of bin/ may)",
    severity: "error",
    from: { path: "^src/", pathNot: "\\.test\\.ts$" },
    to: { path: "^bin/" },
  },
  {
    name: "bin-only-the-entry",
    comment: "bin/ imports only bin/ and the command's entry: src/cli/main.ts, or dist/cli/main.js built from it",
    severity: "error",
    from: { path: "^bin/" },
    to: { path: "^(src|dist|scripts|labs)/", pathNot: "^(src/cli/main\\.ts|dist/cli/main\\.js)$" },
  },
  {
    name: "scripts-stay-on-top",
    comment: "scripts/ are run by npm scripts: only other scripts import them",
    severity: "error",
    from: { pathNot: "^scripts/" },
    to: { path: "^scripts/" },
  },
  {
    name: "scripts-not-tests",
    comment: "scripts/ import what netlab ships, never src/e2e/ nor a test, a test helper or a fixture",
    severity: "error",
    from: { path: "^scripts/" },
    to: { path: TEST_ONLY },
  },
  {
    name: "built-not-tests",
    comment:
      "what dist/ is built from never imports src/e2e/, a test, a test helper or a fixture (the build skips them)",
    severity: "error",
    from: { path: "^src/", pathNot: TEST_ONLY },
    to: { path: TEST_ONLY },
  },
];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "a module may not depend on itself through others",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...edgeRules,
    {
      name: "core-is-pure",
      comment:
        "src/core/ is the model: no I/O, no engine, no processes, no test runner. One exception: lesson-file.ts reads the " +
        "lessons netlab ships as data beside its labs (labs/<lab>.lesson.yaml), as an import would read a module",
      severity: "error",
      from: { path: "^src/core/", pathNot: "\\.test\\.ts$|^src/core/lesson/lesson-file\\.ts$" },
      to: {
        path: "^(node:)?(fs|fs/promises|child_process|net|dgram)$|node_modules/(dockerode|testcontainers|execa|proper-lockfile|vitest)/",
      },
    },
    {
      name: "report-without-vitest",
      comment: "src/report/ is pure writers from facts to files; vitest belongs to src/harness/",
      severity: "error",
      from: { path: "^src/report/", pathNot: "\\.test\\.ts$" },
      to: { path: "node_modules/(vitest|@vitest)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
