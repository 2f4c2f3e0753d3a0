/** What each stage of a roll does, in the words the progress output and --dry-run use. Pure. */
import type { RollStage } from "../plan/roll/roll-plan.js";

export function describeStage(stage: RollStage, serial: number): string {
  switch (stage.kind) {
    case "storage-check":
      return "every node sees the check marker one node wrote into the registry's storage (shared), before any install";
    case "drain-removed":
      return `drain ${names(stage.nodes)} (removed from the inventory)`;
    case "loadbalancers":
      return stage.name === "loadbalancers"
        ? stage.regainsVip !== undefined
          ? `load balancers, one at a time: nobody holds the VIP, so ${stage.regainsVip} (it should win) first, to take it back; then the others`
          : "load balancers, one at a time: backups first, the VIP holder last"
        : `load balancers: the added nodes and final settings, backups first (planned from the state ${stage.after ?? "the earlier stages"} leaves)`;
    case "stop-removed":
      return `stop Harbor on ${names(stage.nodes)}${stage.purge ? " and remove its files" : " (files kept)"}`;
    case "scale-out":
      return `provision ${names(stage.nodes.map((n) => n.node))}; the load balancers get them once healthy`;
    case "roll":
      return `Harbor nodes in batches of ${serial}: drain → apply → health → undrain`;
    case "settings":
      return "settings Harbor keeps in its database, through its API, once, cluster-wide";
  }
}

function names(nodes: ReadonlyArray<{ name: string }>): string {
  return nodes.map((n) => n.name).join(", ");
}
