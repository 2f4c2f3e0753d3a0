import type { Command } from "commander";
import { readResolvedInventory } from "../command-run.js";
import { readClusterStateFor } from "../../secrets/cluster-state-for.js";
import { renderDesiredState } from "../../render/desired-state.js";
import { assertReplaceable, writeRenderTree } from "../write-render-tree.js";
import { resolve } from "node:path";
import { formatRenderTree } from "../format-render-tree.js";

export function registerRender(program: Command): void {
  program
    .command("render")
    .summary("write every file for every host into a folder, without touching the network")
    .description(
      [
        "Render every file harbor-ha would write, for every host, without touching the network: " +
          "DIR/<host>/<absolute path> with its mode, and DIR/<host>.manifest.json listing path, mode, owner and " +
          "sha256 of each file (plus the directories, mounts, packages and users the host needs). Review it, diff " +
          "it against a previous render, or keep it with your change request.",
        "The cluster-wide secrets (Harbor's secretkey, the token signing key pair) are generated once into " +
          ".harbor-ha/<cluster>/ beside the inventory and reused, so renders are stable; back that folder up and " +
          "keep it out of version control.",
        "Files hold real secrets where the host needs them (harbor.cfg, keys): DIR is created 0700. Nothing secret " +
          "is printed. An existing DIR is replaced only if it is a previous render.",
        "Exit status:\n  0  written\n  2  bad inventory or usage (DIR is not a previous render), nothing written",
      ].join("\n\n"),
    )
    .argument("<inventory>", "the inventory file (YAML)")
    .requiredOption("-o, --out <dir>", "folder to write the rendered files into")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ harbor-ha render inventory/example.yaml --out out/\n" +
        "  $ harbor-ha render inventory.yaml --out out.new/ && diff -r out/ out.new/",
    )
    .action(async (file: string, opts: { out: string }) => {
      const inventory = await readResolvedInventory(file);
      await assertReplaceable(resolve(opts.out));
      const { state, notes } = await readClusterStateFor(inventory, { persist: true });
      for (const note of notes) process.stderr.write(`note: ${note}\n`);
      const desired = renderDesiredState(inventory, state);
      const written = await writeRenderTree(opts.out, desired);
      process.stdout.write(formatRenderTree(opts.out, written));
    });
}
