/**
 * ssh2's connection failures, turned into messages an operator can act on:
 * which host, which address and port, which user and key, and what to try.
 */
import { SshConnectError } from "./errors.js";

export interface ConnectContext {
  /** "lb1", or "jump host bastion for lb1". */
  label: string;
  address: string;
  port: number;
  user: string;
  /** The key file, or undefined for the agent. */
  privateKeyPath?: string;
  connectTimeoutMs: number;
}

interface Ssh2Error {
  code?: string | number;
  level?: string;
  message?: string;
}

function credentialsOf(ctx: ConnectContext): string {
  if (ctx.privateKeyPath) return `key ${ctx.privateKeyPath}`;
  return process.env.SSH_AUTH_SOCK ? `the SSH agent (${process.env.SSH_AUTH_SOCK})` : "no key (ssh.private_key unset and SSH_AUTH_SOCK empty)";
}

export function mapConnectError(err: unknown, ctx: ConnectContext): SshConnectError {
  const e = (err ?? {}) as Ssh2Error;
  const message = e.message ?? String(err);
  const where = `${ctx.label} (${ctx.user}@${ctx.address}:${ctx.port})`;
  const fail = (what: string, hint: string) => new SshConnectError(ctx.label, `${where}: ${what}`, hint, err);

  if (e.level === "client-authentication" || /authentication methods failed/i.test(message))
    return fail(
      `authentication failed as user "${ctx.user}" with ${credentialsOf(ctx)}`,
      `Check that the public key is in ~${ctx.user}/.ssh/authorized_keys on the host ` +
        `and that ssh.user / ssh.private_key in the inventory are right ` +
        `(try: ssh -p ${ctx.port}${ctx.privateKeyPath ? ` -i ${ctx.privateKeyPath}` : ""} ${ctx.user}@${ctx.address} true).`,
    );
  if (/passphrase|Cannot parse privateKey|Unsupported key format/i.test(message))
    return fail(
      `cannot use the private key ${ctx.privateKeyPath ?? ""}: ${message}`,
      "Give ssh.passphrase for an encrypted key (e.g. ${env:HARBOR_SSH_PASSPHRASE}), or check that the file is an OpenSSH private key.",
    );
  if (e.code === "ECONNREFUSED")
    return fail(
      "connection refused",
      `Nothing listens on port ${ctx.port}: check that sshd runs on the host and that ssh.port in the inventory is right.`,
    );
  if (e.code === "ETIMEDOUT" || e.level === "client-timeout" || /timed out/i.test(message))
    return fail(
      `no SSH handshake within ${Math.round(ctx.connectTimeoutMs / 1000)} s`,
      "Check that the address is right and reachable (firewall, routing, jump host), or raise ssh.connect_timeout_s.",
    );
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN")
    return fail(`cannot resolve "${ctx.address}" (DNS)`, "Check the spelling of the address, or use the IP address in the inventory.");
  if (e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH")
    return fail("host unreachable (no route)", "Check the address and the network path from this machine (or set ssh.jump_host).");
  if (e.code === "ECONNRESET" || /connection lost|socket hang up|No response from server/i.test(message))
    return fail(
      `the connection was closed during the handshake (${message})`,
      "Check sshd's log on the host (MaxStartups, AllowUsers, fail2ban) and try again.",
    );
  return fail(`cannot connect: ${message}`, "Try `ssh` to the same address with the same user and key to see the cause.");
}
