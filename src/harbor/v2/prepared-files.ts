/**
 * What Harbor 2.x's prepare writes under common/config/ that the cluster depends on, with the
 * lines it derives from harbor-ha's harbor.yml (facts/prepared-files.ts says why lines, not a
 * render or checksums): the registry's Redis is the cluster's shared one. The secrets prepare
 * makes anew on every run are compared on their own (live-env.ts). Pure.
 */
import type { Harbor2VmInventory } from "../../inventory/model.js";
import type { PreparedFile } from "../../facts/prepared-files.js";
import { redisEndpoint } from "./harbor-yml.js";
import { harbor2Dir } from "./node-files.js";

export const HARBOR2_PREPARE_WRITER = "Harbor's prepare with harbor-ha's harbor.yml";

export function harbor2PreparedFiles(inv: Harbor2VmInventory): PreparedFile[] {
  const at = (rel: string) => `${harbor2Dir(inv)}/common/config/${rel}`;
  const present = (rel: string): PreparedFile => ({ path: at(rel), lines: [], what: "nothing more" });
  return [
    {
      path: at("registry/config.yml"),
      lines: ["redis:", `  addr: ${redisEndpoint(inv.data.redis).host}`],
      what: "the cluster's Redis (redis.addr: harbor.yml's external_redis.host)",
    },
    present("core/env"),
    present("core/app.conf"),
    present("jobservice/env"),
    present("jobservice/config.yml"),
    present("registryctl/env"),
    present("registryctl/config.yml"),
    present("nginx/nginx.conf"),
    present("log/logrotate.conf"),
  ];
}
