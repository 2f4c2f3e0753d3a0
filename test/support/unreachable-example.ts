/**
 * The example inventory (inventory/example.yaml) in a temporary folder, with every host behind
 * a "jump host" that is a TCP server of the test: it counts the connections and hangs up, so a
 * command run against it reaches no host and the test can tell whether it tried. For CLI tests
 * of what happens before any connection (usage checks, --limit, --json targets, the report's
 * shape on a fatal error).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/paths.js";

export interface UnreachableExample {
  /** The temporary folder holding the inventory, its example/ files and the bundle stand-in. */
  readonly dir: string;
  /** The inventory file. */
  readonly inventory: string;
  /** Its text as written. */
  readonly text: string;
  /** Connections the jump host has taken so far. */
  connections(): number;
  /** Stops the server and removes the folder. */
  close(): Promise<void>;
}

/** The environment for such a run: no SSH agent, a HOME with no ~/.ssh. */
export const UNREACHABLE_ENV = { SSH_AUTH_SOCK: "/nonexistent/agent.sock", HOME: tmpdir() };

export async function unreachableExample(prefix: string): Promise<UnreachableExample> {
  let connections = 0;
  const server = createServer((s) => {
    connections += 1;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(projectRoot(), "inventory"), dir, { recursive: true, filter: (src) => !src.includes(".harbor-ha") });
  const inventory = join(dir, "example.yaml");
  // A bundle to hash, and every host behind the counting "jump host", reached with the (absent) agent.
  writeFileSync(join(dir, "example", "harbor-offline-installer-v1.4.0.tgz"), "not a real bundle\n");
  const text = readFileSync(inventory, "utf8")
    .replace(/^  private_key: .*\n/m, "")
    .replace(/^  connect_timeout_s: 10\n/m, `  connect_timeout_s: 10\n  jump_host: { address: 127.0.0.1, port: ${port} }\n`);
  writeFileSync(inventory, text);
  return {
    dir,
    inventory,
    text,
    connections: () => connections,
    close: async () => {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
