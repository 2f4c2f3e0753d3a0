#!/usr/bin/env node
// The installed command. The TypeScript sources are compiled to dist/ by `npm run build`
// (scripts/setup.sh does it); this file stays plain JavaScript so it runs without a loader.
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
// The start-up bundle `npm run build` makes after tsc (scripts/bundle.mjs): the same code in a few
// files, loaded faster. A bundle older than the compiled sources (tsc run alone) is not used.
const bundled = new URL("../dist/bundle/main.js", import.meta.url);
const mtime = (url) => statSync(fileURLToPath(url), { throwIfNoEntry: false })?.mtimeMs;
const entry = (mtime(bundled) ?? -1) >= (mtime(compiled) ?? Infinity) ? bundled : compiled;
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    "harbor-ha is not built yet: run `npm run build` (or scripts/setup.sh) in " + fileURLToPath(new URL("..", import.meta.url)) + "\n",
  );
  process.exit(1);
}
const { main } = await import(entry.href);
let interrupted = false;
process.on("SIGINT", () => {
  // First Ctrl-C: stop scheduling new work (commands watch process.exitCode) and exit 130 when done.
  if (interrupted) process.exit(130);
  interrupted = true;
  process.exitCode = 130;
  process.stderr.write("\ninterrupted: finishing the steps under way (Ctrl-C again to abort now)\n");
});
const code = await main(process.argv.slice(2));
process.exit(interrupted ? 130 : code);
