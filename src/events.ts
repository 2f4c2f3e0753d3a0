/**
 * What a run reports as it goes: a discriminated union, rendered separately (spinner,
 * plain lines, JSON) by src/cli/report. Producers never print.
 */
export type RunEvent =
  | { type: "phase"; phase: string; description: string }
  | { type: "step-start"; host: string; phase: string; title: string }
  | { type: "step-done"; host: string; phase: string; title: string; ok: boolean; ms: number; error?: string }
  | { type: "note"; level: "info" | "warn"; message: string; host?: string }
  /** A command about to run on a host, masked (the reporters show it with -v). */
  | { type: "command"; host: string; step: string; command: string };

export type EmitEvent = (event: RunEvent) => void;

/** The outcome of one host in a run, for the summary table and --json. */
export interface HostOutcome {
  host: string;
  role: string;
  /** "would change": a dry run found steps for this host. */
  status: "changed" | "unchanged" | "would change" | "failed" | "not started";
  changes: string[];
  error?: string;
  ms: number;
}
