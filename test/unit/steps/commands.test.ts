/** The plan's remote commands, as the strings a person sees (the fstab rewrite run for real: test/tool/steps/persist-mount.test.ts). */
import { applyVipRulesCommand } from "../../../src/lb/lvs-dr/vip-rules.js";
import { harborInstallCommand } from "../../../src/harbor/v1/commands.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applySysctlCommand,
  checkNodesCommand,
  createSystemUserCommand,
  ensureDirectoryCommand,
  extractBundleCommand,
  fstabLine,
  heldAddressesCommand,
  installPackagesCommand,
  keepalivedCheckCommand,
  mountCommand,
  persistMountCommand,
  serviceCommand,
} from "../../../src/steps/commands.js";
import type { Command } from "../../../src/shell/command.js";
import { renderShell } from "../../../src/shell/command.js";
import type { DesiredMount } from "../../../src/desired/types.js";

const shown = (c: Command) => renderShell(c, { reveal: false });
const MOUNT: DesiredMount = {
  source: "10.20.0.40:/exports/harbor/registry",
  target: "/data/registry",
  fstype: "nfs",
  options: "rw,hard,noatime,nfsvers=4.1",
};

test("service commands per init system", () => {
  assert.equal(shown(serviceCommand("systemd", "keepalived", "start")), "systemctl enable --now keepalived");
  assert.equal(shown(serviceCommand("systemd", "keepalived", "reload")), "systemctl reload keepalived");
  assert.equal(shown(serviceCommand("sysv", "keepalived", "reload")), "service keepalived reload");
  // Debian's init script does not wait for the old keepalived to stop before it starts again.
  assert.match(
    shown(serviceCommand("sysv", "keepalived", "restart")),
    /^sh -c '.*service "\$1" stop; .*\/proc\/\$p\/status.*service "\$1" start' sh keepalived$/,
  );
});

test("packages, users, directories, sysctl, keepalived -t", () => {
  const pkg = shown(installPackagesCommand(["keepalived", "curl"]));
  assert.match(pkg, /^sh -c '.*apt-get install -y -q --no-install-recommends "\$@".*' sh keepalived curl$/);
  assert.equal(shown(createSystemUserCommand("keepalived_script")), "useradd --system --no-create-home --shell /usr/sbin/nologin keepalived_script");
  assert.equal(
    shown(ensureDirectoryCommand({ path: "/data/job logs", mode: 0o755, owner: "10000", group: "10000" })),
    "mkdir -p -- '/data/job logs' && chmod 0755 -- '/data/job logs' && chown 10000:10000 -- '/data/job logs'",
  );
  assert.equal(shown(applySysctlCommand("/etc/sysctl.d/90-harbor-ha.conf")), "sysctl -q -p /etc/sysctl.d/90-harbor-ha.conf");
  assert.match(
    shown(keepalivedCheckCommand("/etc/keepalived", "vrrp")),
    /^sh -c '.*"\$@" "\$tmp" 2>&3 & wait \$!' sh \/etc\/keepalived vrrp keepalived -t -f$/s,
  );
});

test("mounts: the fstab line, the mount, the persist script's arguments", () => {
  assert.equal(fstabLine(MOUNT), "10.20.0.40:/exports/harbor/registry /data/registry nfs rw,hard,noatime,nfsvers=4.1 0 0");
  assert.equal(shown(mountCommand(MOUNT)), "mkdir -p -- /data/registry && mount -- /data/registry");
  assert.match(
    shown(persistMountCommand(MOUNT)),
    /^sh -c '.*' sh \/data\/registry '10\.20\.0\.40:\/exports\/harbor\/registry \/data\/registry nfs rw,hard,noatime,nfsvers=4\.1 0 0'$/,
  );
});

test("Harbor: extract, install, VIP rules, node checks, held addresses", () => {
  assert.equal(shown(extractBundleCommand("/opt/harbor.tgz", "/opt")), "mkdir -p -- /opt && tar -xzf /opt/harbor.tgz -C /opt --no-same-owner");
  assert.equal(shown(harborInstallCommand("/opt/harbor", false)), "sh -c 'cd /opt/harbor && ./install.sh --ha'");
  assert.equal(shown(harborInstallCommand("/opt/harbor", true)), "sh -c 'cd /opt/harbor && ./install.sh --ha --with-clair'");
  assert.equal(shown(applyVipRulesCommand("sysv")), "/usr/local/sbin/harbor-ha-vip-accept");
  assert.match(
    shown(checkNodesCommand("/usr/local/bin/check.sh", ["10.20.0.21", "10.20.0.22"])),
    / sh \/usr\/local\/bin\/check\.sh 10\.20\.0\.21 10\.20\.0\.22$/,
  );
  assert.equal(shown(heldAddressesCommand()), "ip -o -4 addr show | awk '{ print $4 }'");
});
