/**
 * Paths Harbor 2.x's installer and prepare fix on a node (make/photon/prepare/g.py and the
 * compose template prepare writes): everything lives under harbor.yml's data_volume, which
 * harbor-ha keeps at /data, the value Harbor's own template ships.
 */
import { HARBOR_UID } from "../../layout.js";

export { HARBOR_UID, SERVER_CERT_PATH, SERVER_KEY_PATH } from "../../layout.js";

/** harbor.yml's data_volume. */
export const HARBOR2_DATA_VOLUME = "/data";
/** The registry's blobs with filesystem storage: the compose file mounts <data_volume>/registry at /storage. */
export const HARBOR2_REGISTRY_DATA_PATH = `${HARBOR2_DATA_VOLUME}/registry`;
/** What the registry container sees of it: storage_service.filesystem.rootdirectory. */
export const HARBOR2_REGISTRY_ROOT_IN_CONTAINER = "/storage";

/**
 * The secrets prepare reuses when they exist (utils/cert.py): the key that encrypts
 * secrets in the database (16 characters, or prepare refuses it) and the token service's key
 * pair. prepare makes its own on a node that has none, so every node must be seeded with
 * the cluster's before its first install.sh, or nodes would not accept each other's tokens.
 * prepare leaves them owned by Harbor's uid, mode 0600 (misc.mark_file).
 */
export const HARBOR2_SECRETKEY_PATH = `${HARBOR2_DATA_VOLUME}/secret/keys/secretkey`;
export const HARBOR2_TOKEN_KEY_PATH = `${HARBOR2_DATA_VOLUME}/secret/core/private_key.pem`;
export const HARBOR2_TOKEN_CERT_PATH = `${HARBOR2_DATA_VOLUME}/secret/registry/root.crt`;
export const HARBOR2_SECRET_OWNER = HARBOR_UID;

/**
 * The Harbor 2.x release a node was installed with, recorded after a successful install.
 * Harbor migrates the shared schema when the first core of a new release starts, patch
 * releases included (make/migrations/postgresql has 0171_2.14.1, 0181_2.15.3): the other
 * nodes' older cores may then run against a schema they do not know, so a release change is
 * not rolled (plan/preflight.ts refuses it).
 */
export const HARBOR2_RELEASE_STAMP_PATH = "/var/lib/harbor-ha/harbor-release";

/**
 * The load balancers' test of a Harbor 2.x node, anonymous as check.sh is: /api/v2.0/ping
 * answers 200 when core runs, and /api/v2.0/health lists each component's state, which core
 * re-checks every 10 s in the background (src/controller/health/checker.go), so the request
 * is cheap. Anonymous callers get no registry_url from 2.x's /api/v2.0/systeminfo (it is
 * "protected" information), so unlike 1.x the hostname cannot be compared; under https the
 * certificate is verified for it instead. The node serves pushes and pulls when these
 * components are healthy: a broken scanner or job service alone does not take it out.
 */
export const HARBOR2_HEALTH_TEST = {
  pingPath: "/api/v2.0/ping",
  healthPath: "/api/v2.0/health",
  components: ["core", "database", "redis", "registry"],
} as const;
