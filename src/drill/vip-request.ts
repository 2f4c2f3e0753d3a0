/**
 * A real client request through the VIP, as clients make it: GET /api/systeminfo (Harbor 2.x:
 * /api/v2.0/systeminfo, which answers anonymous callers too) for the cluster's hostname at the
 * VIP's address, the certificate verified against the inventory's CA (as check.sh verifies
 * it). Used by the failover drill under load_balancing: haproxy,
 * where a request through the VIP reaches a Harbor node (LVS needs IPVS to do that).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Inventory } from "../inventory/model.js";
import { vipParts } from "../inventory/model.js";
import { generationOf } from "../harbor/generations.js";
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import { LB_CA_PATH } from "../render/loadbalancer.js";

/** The path asked through the VIP: Harbor's system information, which every node answers without credentials. */
export function vipRequestPath(inv: Inventory): string {
  return generationOf(inv).drillPath;
}

/** What the drill says it measured. */
export function describeVipRequest(inv: Inventory): string {
  return `${inv.data.cluster.protocol.toUpperCase()} GET ${vipRequestPath(inv)} for ${inv.data.cluster.hostname} through the VIP`;
}

/** The same request made on a load balancer (when this machine cannot reach the VIP): prints the HTTP status, 000 when nothing answered. */
export function vipRequestCommand(inv: Inventory): Command {
  const { hostname, protocol } = inv.data.cluster;
  const port = protocol === "https" ? 443 : 80;
  const ca = protocol === "https" && inv.tls?.caPem !== undefined ? ["--cacert", LB_CA_PATH] : [];
  return cmd(
    "curl",
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "--max-time",
    "2",
    "--resolve",
    `${hostname}:${port}:${vipParts(inv).address}`,
    ...ca,
    "--",
    `${protocol}://${hostname}:${port}${vipRequestPath(inv)}`,
  );
}

/** The HTTP status the VIP answered from this machine; 0 when nothing answered in time or TLS failed. */
export function requestThroughVip(inv: Inventory, timeoutMs = 2000): Promise<number> {
  const { hostname, protocol } = inv.data.cluster;
  const https = protocol === "https";
  return new Promise((resolve) => {
    const options = {
      host: vipParts(inv).address,
      port: https ? 443 : 80,
      path: vipRequestPath(inv),
      headers: { Host: hostname },
      timeout: timeoutMs,
      agent: false as const,
      ...(https ? { servername: hostname, ...(inv.tls?.caPem ? { ca: inv.tls.caPem } : {}) } : {}),
    };
    const req = (https ? httpsRequest : httpRequest)(options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("timeout", () => req.destroy(new Error("timeout")));
    req.once("error", () => resolve(0));
    req.end();
  });
}
