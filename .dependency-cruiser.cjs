// netlab's layers, lowest first: each folder of src/ may import only itself and the folders its rule allows.
// `npm run lint:layers` checks them (and .ci/run runs it); src/e2e/ is netlab run as a user runs it and may
// import anything.
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
    {
      name: "core-is-pure",
      comment: "src/core/ is the model: no I/O, no engine, no processes, no test runner",
      severity: "error",
      from: { path: "^src/core/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(node:)?(fs|fs/promises|child_process|net|dgram)$|node_modules/(dockerode|testcontainers|execa|proper-lockfile|vitest)/" },
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
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
