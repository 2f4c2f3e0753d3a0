/**
 * The layers of src/, as README.md's Architecture section draws them; scripts/test.sh runs this
 * before the tests. Each layer may import only the layers below it, with no exceptions, and
 * every file of src/ belongs to exactly the layer its path says (a new folder must be placed
 * here first: this file refuses to load while one is not).
 *
 *   cli                                       commander wiring, reporters, the only exit
 *   provision roll status drill adopt         the commands
 *   run                                       a run's life cycle (pool, lock, audit, Ctrl-C)
 *   execute                                   running steps on hosts
 *   gather db lock                            reading hosts, the database edges, the lock
 *   remote secrets cache bundle               I/O edges: SSH, the state folder, Harbor's archives
 *   plan                                      PURE: desired vs facts → steps (cluster, roll)
 *   render helm                               PURE: the cluster's desired state; chart values
 *   harbor/generations lb/modes               PURE: the inventory's generation and mode
 *   harbor/v1 harbor/v2 lb/lvs-dr lb/haproxy  PURE: one module per generation and per mode
 *   desired facts steps                       PURE: the vocabulary of render, facts and plans
 *   shell time                                commands as data; the clock
 *   inventory                                 schema, loading, secrets, checks
 *   formats                                   how each destination format reads a value: checks and encoders
 *   harbor/*\/data harbor/*.ts                what Harbor ships, per release line (data)
 *   errors.ts paths.ts events.ts              shared by all
 */
const { readdirSync, statSync } = require("node:fs");
const { join } = require("node:path");

const LAYERS = [
  { name: "harbor-data", paths: ["^src/harbor/(versions|layout|paths|helm-chart)\\.ts$", "^src/harbor/v[0-9]+/data/"] },
  { name: "formats", paths: ["^src/formats/"] },
  { name: "inventory", paths: ["^src/inventory/"] },
  { name: "shell", paths: ["^src/shell/", "^src/time/"] },
  { name: "vocabulary", paths: ["^src/desired/", "^src/facts/", "^src/steps/"] },
  { name: "modules", paths: ["^src/harbor/generation\\.ts$", "^src/harbor/v[0-9]+/(?!data/)", "^src/lb/mode\\.ts$", "^src/lb/[a-z0-9-]+/"] },
  { name: "dispatch", paths: ["^src/harbor/generations\\.ts$", "^src/lb/modes\\.ts$"] },
  { name: "render", paths: ["^src/render/", "^src/helm/"] },
  { name: "plan", paths: ["^src/plan/"] },
  { name: "edges", paths: ["^src/remote/", "^src/secrets/", "^src/cache/", "^src/bundle/"] },
  { name: "engine", paths: ["^src/gather/", "^src/db/", "^src/lock/"] },
  { name: "execute", paths: ["^src/execute/"] },
  { name: "run", paths: ["^src/run/"] },
  { name: "commands", paths: ["^src/provision/", "^src/roll/", "^src/status/", "^src/drill/", "^src/adopt/"] },
  { name: "cli", paths: ["^src/cli/"] },
];
const SHARED = "^src/(errors|paths|events)\\.ts$";

/** Modules that stand side by side and never import each other: the generations, the modes, the commands. */
const SIBLINGS = [["^src/harbor/v1/", "^src/harbor/v2/"], ["^src/lb/lvs-dr/", "^src/lb/haproxy/"], LAYERS.find((l) => l.name === "commands").paths];

const any = (patterns) => patterns.join("|");

const forbidden = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flatMap((l) => l.paths);
  if (above.length === 0) return [];
  return [
    {
      name: `${layer.name}-imports-down`,
      comment: `${layer.name} may import only the layers below it (.dependency-cruiser.cjs, README: Architecture)`,
      severity: "error",
      from: { path: any(layer.paths) },
      to: { path: any(above) },
    },
  ];
});

for (const group of SIBLINGS) {
  for (const from of group) {
    forbidden.push({
      name: "siblings-stand-alone",
      comment: "a generation, a mode or a command does not import its siblings; what they share belongs below them",
      severity: "error",
      from: { path: from },
      to: { path: any(group.filter((p) => p !== from)) },
    });
  }
}

forbidden.push(
  { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
  {
    name: "shared-files-import-nothing-above",
    comment: "errors.ts, paths.ts and events.ts are used by every layer",
    severity: "error",
    from: { path: SHARED },
    to: { path: "^src/[a-z]+/" },
  },
  { name: "src-never-imports-tests", severity: "error", from: { path: "^src/" }, to: { path: "^test/" } },
);

/** Every .ts file under src/ must belong to exactly one layer: a new folder is placed in LAYERS first. */
function checkEveryFilePlaced() {
  const patterns = LAYERS.flatMap((l) => l.paths.map((p) => ({ layer: l.name, re: new RegExp(p) })));
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(join(__dirname, dir))) {
      const rel = `${dir}/${name}`;
      if (statSync(join(__dirname, rel)).isDirectory()) walk(rel);
      else if (rel.endsWith(".ts")) files.push(rel);
    }
  };
  walk("src");
  const problems = files.flatMap((f) => {
    if (new RegExp(SHARED).test(f)) return [];
    const layers = [...new Set(patterns.filter((p) => p.re.test(f)).map((p) => p.layer))];
    if (layers.length === 1) return [];
    return [`${f}: ${layers.length === 0 ? "in no layer" : `in several layers (${layers.join(", ")})`}`];
  });
  if (problems.length > 0)
    throw new Error(
      `.dependency-cruiser.cjs: every file of src/ belongs to one layer of LAYERS:\n  ${problems.join("\n  ")}\nPlace its folder in LAYERS.`,
    );
}
checkEveryFilePlaced();

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
