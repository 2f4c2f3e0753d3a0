/**
 * Fixed paths on the hosts that several layers name: the load balancers' keepalived
 * configuration, health check, drain markers and CA; harbor-ha's own records on a node.
 */

export const KEEPALIVED_CONF_PATH = "/etc/keepalived/keepalived.conf";
/** The health check of one Harbor node (keepalived's MISC_CHECK, and every health gate). */
export const CHECK_SCRIPT_PATH = "/usr/local/bin/check.sh";
/** A file named by a node's address here makes check.sh fail for it on purpose (drained). */
export const DRAIN_DIR = "/var/lib/harbor-ha/drain";
/** The CA check.sh (and HAProxy's check) verify Harbor's certificate with. */
export const LB_CA_PATH = "/etc/keepalived/harbor-ca.crt";
export const SYSCTL_PATH = "/etc/sysctl.d/90-harbor-ha.conf";
/** The digest of what install.sh last ran with on a node. */
export const INSTALL_STAMP_PATH = "/var/lib/harbor-ha/harbor-install.stamp";
