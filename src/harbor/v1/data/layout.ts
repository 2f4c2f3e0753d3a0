/**
 * Paths Harbor 1.4/1.5 fixes on a node, whatever harbor.cfg says: its HA compose file
 * (ha/docker-compose.yml) mounts /data/registry, /data/job_logs and /data/secretkey by
 * these names, and prepare writes the CA it offers clients to /data/ca_download/ca.crt.
 */

/** The registry's image data (the compose file mounts it at /storage in the registry container). */
export const REGISTRY_DATA_PATH = "/data/registry";
/** The job service's logs. */
export const JOB_LOGS_PATH = "/data/job_logs";
/** The folder of the secretkey; harbor.cfg's secretkey_path must name it, since the compose file mounts /data/secretkey. */
export const SECRETKEY_DIR = "/data";
export const SECRETKEY_PATH = `${SECRETKEY_DIR}/secretkey`;
/** The CA certificate Harbor offers to Docker clients (prepare's HA step copies ha/ca.crt here). */
export const CA_DOWNLOAD_PATH = "/data/ca_download/ca.crt";

export { HARBOR_UID, SERVER_CERT_PATH, SERVER_KEY_PATH } from "../../layout.js";

/**
 * What `prepare --ha` keeps in `<harbor dir>/ha/` and copies over the live files on every
 * run (and, on a first run that finds no copy, copies the live file into): each live
 * file's copy, by file name. The certificate and key copies are named after the basename
 * of ssl_cert / ssl_cert_key; the CA copy after /data/ca_download/ca.crt.
 */
export const HA_COPY_NAMES = {
  serverCert: "server.crt",
  serverKey: "server.key",
  ca: "ca.crt",
  tokenKey: "private_key.pem",
  tokenCert: "root.crt",
  secretkey: "secretkey",
} as const;

/** Where prepare writes the token key pair it uses, under `<harbor dir>/common/config/`. */
export const LIVE_TOKEN_KEY = "common/config/ui/private_key.pem";
export const LIVE_TOKEN_CERT = "common/config/registry/root.crt";
/** Where prepare copies the TLS pair nginx serves, under `<harbor dir>/common/config/`. */
export const LIVE_NGINX_CERT_DIR = "common/config/nginx/cert";
