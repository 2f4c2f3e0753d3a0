/**
 * Loaded with --import by the unit run (scripts/test.sh): unit tests are pure, so starting a
 * process is a failure, named with the command, rather than a slow test that passes. A test
 * that runs a real tool belongs in test/tool/. The runner itself starts one process per test
 * file, so the guard acts only inside a test file's process (NODE_TEST_CONTEXT is set there).
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";

const STARTERS = ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const;

export function forbidChildProcesses(): void {
  for (const name of STARTERS) {
    Object.defineProperty(childProcess, name, {
      configurable: true,
      writable: true,
      value: (command: unknown) => {
        throw new Error(
          `unit tests start no process, but this one called child_process.${name}(${JSON.stringify(command)}): ` +
            `a test that runs a real tool belongs in test/tool/ (README: Tests)`,
        );
      },
    });
  }
  // `import { spawn } from "node:child_process"` reads the ES module's copy of the exports.
  syncBuiltinESMExports();
}

if (process.env["NODE_TEST_CONTEXT"] !== undefined) forbidChildProcesses();
