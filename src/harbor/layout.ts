/** What both Harbor generations fix on a node. */

/** Harbor's containers run as this uid/gid; the shared data and the secrets they read belong to it. */
export const HARBOR_UID = "10000";

/** Where harbor-ha puts the TLS pair Harbor serves (harbor.cfg's ssl_cert / ssl_cert_key, harbor.yml's https; Harbor's own defaults). */
export const SERVER_CERT_PATH = "/data/cert/server.crt";
export const SERVER_KEY_PATH = "/data/cert/server.key";
