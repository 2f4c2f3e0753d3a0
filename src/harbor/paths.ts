/** Where Harbor lives on a node, for both generations. */

/** The folder Harbor's offline installer extracts to: `harbor/` under the install folder. */
export function harborDirUnder(installDir: string): string {
  return `${installDir.replace(/\/+$/, "")}/harbor`;
}

/** A node's own address for Harbor, in the cluster's protocol: what the facts, the start-up wait and the settings calls ask. */
export function localBaseUrl(protocol: "http" | "https"): string {
  return `${protocol}://127.0.0.1`;
}
