/**
 * The layers of src/, as README.md's Architecture section draws them; scripts/check-imports runs
 * this with the tests. Each layer may import only the layers below it. No exceptions.
 *
 *   cli                                   commander wiring, reporters, the only exit
 *   provision rolling status drill        the commands
 *   apply lock db                         the engine: runs plans on hosts, the lock, the database
 *   remote                                SSH: the transport, sessions, pool (I/O edge)
 *   plan helm                             PURE: desired vs facts → steps; inventory → chart values
 *   render state facts                    PURE render; the state folder; the facts parser
 *   shell                                 commands as data (quoting, masking), file modes
 *   inventory                             schema, loading, secrets, checks
 *   harbor                                what harbor-ha knows of Harbor per release (data)
 *   errors.ts paths.ts                    shared by all
 */
const LAYERS = [
  ["harbor"],
  ["inventory"],
  ["shell", "time"],
  ["desired", "facts", "steps"],
  ["render", "helm"],
  ["plan"],
  ["remote", "secrets", "cache", "bundle"],
  ["gather", "db", "lock"],
  ["execute"],
  ["run"],
  ["provision", "roll", "status", "drill"],
  ["cli"],
];

const dirs = (names) => `^src/(${names.join("|")})/`;

const forbidden = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flat();
  if (above.length === 0) return [];
  return layer.map((name) => ({
    name: `${name}-imports-down`,
    comment: `src/${name} may import only the layers below it (.dependency-cruiser.cjs, README: Architecture)`,
    severity: "error",
    from: { path: `^src/${name}/` },
    to: { path: dirs(above) },
  }));
});

// Within a layer, the commands do not use one another: each stands on the engine.
const commands = LAYERS[LAYERS.length - 2];
for (const name of commands) {
  forbidden.push({
    name: `${name}-is-not-a-library`,
    comment: "one command does not import another; what they share belongs in the engine",
    severity: "error",
    from: { path: `^src/${name}/` },
    to: { path: dirs(commands.filter((c) => c !== name)) },
  });
}

forbidden.push(
  {
    name: "no-circular",
    severity: "error",
    from: {},
    to: { circular: true },
  },
  {
    name: "shared-files-import-nothing-above",
    comment: "errors.ts, paths.ts and events.ts are used by every layer",
    severity: "error",
    from: { path: "^src/(errors|paths|events)\\.ts$" },
    to: { path: "^src/[a-z]+/" },
  },
  {
    name: "src-never-imports-tests",
    severity: "error",
    from: { path: "^src/" },
    to: { path: "^test/" },
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
