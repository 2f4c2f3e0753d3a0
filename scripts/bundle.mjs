// The command's start-up bundle: dist/src/cli/main.js and what it imports, in a few files
// (esbuild), so that Node loads a handful of modules instead of one per source file (harbor-ha's
// own, yaml's, zod's, commander's, handlebars's, ora's): `--version` 0.26 → 0.15 s on the lab
// machine, and as much off every command. The commands' engines stay lazily loaded (one chunk
// each, --splitting). Left out, and loaded from node_modules when used: ssh2 (a native crypto
// binding esbuild cannot carry), node-ssh (over ssh2), and the clients only some commands load
// (mysql2, pg, tar).
// Run by `npm run build` after tsc; bin/harbor-ha.js uses the bundle when it is not older than
// the compiled sources, else those.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${root}dist/src/cli/main.js`],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["ssh2", "node-ssh", "cpu-features", "mysql2", "pg", "tar"],
  // The CommonJS packages inside (commander, handlebars) call require(); an ES module has none.
  banner: { js: "import { createRequire as harborHaCreateRequire } from 'node:module'; const require = harborHaCreateRequire(import.meta.url);" },
  logLevel: "warning",
});
