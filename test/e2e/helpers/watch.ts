/**
 * A watcher of node health during a roll: one ssh session to a load balancer running
 * check.sh for every node every ~200 ms; each round is one line "<address>=ok|fail …".
 */
import { spawn } from "node:child_process";
import type { Lab } from "./lab.js";

export interface HealthWatch {
  /** Stops the watcher; resolves with every round seen (address → ok). */
  stop(): Promise<Array<Map<string, boolean>>>;
}

export function watchNodeHealth(lab: Lab, lb: string, addresses: readonly string[]): HealthWatch {
  const script = `while :; do line=; for n in ${addresses.join(" ")}; do if /usr/local/bin/check.sh "$n" >/dev/null 2>&1; then line="$line $n=ok"; else line="$line $n=fail"; fi; done; echo "round$line"; sleep 0.2; done`;
  const child = spawn("ssh", ["-F", lab.sshConfigPath, "-l", "root", lb, script], { stdio: ["ignore", "pipe", "ignore"] });
  let text = "";
  child.stdout.on("data", (b: Buffer) => (text += b.toString()));
  const closed = new Promise<void>((r) => child.on("close", () => r()));
  return {
    async stop() {
      child.kill("SIGTERM");
      await closed;
      return text
        .split("\n")
        .filter((l) => l.startsWith("round "))
        .map(
          (l) =>
            new Map(
              l
                .slice(6)
                .split(" ")
                .map((kv) => {
                  const [a = "", v = ""] = kv.split("=");
                  return [a, v === "ok"] as [string, boolean];
                }),
            ),
        );
    },
  };
}

/** The most nodes the watcher ever saw failing check.sh in one round. */
export function mostOutAtOnce(rounds: ReadonlyArray<ReadonlyMap<string, boolean>>): number {
  return Math.max(...rounds.map((m) => [...m.values()].filter((ok) => !ok).length));
}
