import { relative, resolve } from "node:path";
import type { HostManifest } from "./write-render-tree.js";

/** The short tree `render` prints: per host its role, address and files with mode and owner. */
export function formatRenderTree(outDir: string, manifests: readonly HostManifest[]): string {
  const rel = relative(process.cwd(), resolve(outDir));
  const shown = rel === "" ? "." : rel.startsWith("..") ? resolve(outDir) : rel;
  const fileCount = manifests.reduce((n, m) => n + m.files.length, 0);
  const lines = [`Rendered ${fileCount} files for ${manifests.length} hosts into ${shown}/`];
  manifests.forEach((m, i) => {
    const last = i === manifests.length - 1;
    lines.push(`${last ? "└─" : "├─"} ${m.host} (${m.role}, ${m.address})`);
    m.files.forEach((f, j) => {
      const branch = j === m.files.length - 1 ? "└─" : "├─";
      lines.push(`${last ? "  " : "│ "}  ${branch} ${f.mode} ${`${f.owner}:${f.group}`.padEnd(12)} ${f.path}`);
    });
  });
  lines.push(`Manifests: ${shown}/<host>.manifest.json (path, mode, owner, sha256 of every file that holds no secret).`);
  return lines.join("\n") + "\n";
}
