/** keepalivedCheckOutcome and stripCheckers: how `keepalived -t` is judged. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { keepalivedCheckOutcome, stripCheckers } from "../../../src/plan/keepalived-check.js";

test("keepalived -t: exit 0 passes, whatever it printed", () => {
  assert.equal(keepalivedCheckOutcome(0, null, ""), "pass");
  assert.equal(keepalivedCheckOutcome(0, null, "Opening file '/etc/keepalived/keepalived.conf'.\n"), "pass");
});

test("keepalived -t: SIGTERM in silence is never a pass on its own (exit 143, or the signal itself over SSH)", () => {
  assert.equal(keepalivedCheckOutcome(143, null, ""), "silent-sigterm");
  assert.equal(keepalivedCheckOutcome(143, null, " \n\n"), "silent-sigterm");
  assert.equal(keepalivedCheckOutcome(null, "SIGTERM", ""), "silent-sigterm");
  assert.equal(keepalivedCheckOutcome(null, "TERM", ""), "silent-sigterm");
});

test("keepalived -t: SIGTERM with output, other exits and other signals fail", () => {
  assert.equal(keepalivedCheckOutcome(143, null, "Unknown keyword 'auth_pas'\n"), "fail");
  assert.equal(keepalivedCheckOutcome(null, "SIGTERM", "WARNING - script 'check.sh' is not executable\n"), "fail");
  assert.equal(keepalivedCheckOutcome(1, null, ""), "fail");
  assert.equal(keepalivedCheckOutcome(1, null, "Configuration file errors"), "fail");
  assert.equal(keepalivedCheckOutcome(null, "SIGKILL", ""), "fail");
  assert.equal(keepalivedCheckOutcome(null, null, ""), "fail");
  assert.equal(keepalivedCheckOutcome(137, null, ""), "fail");
});

const CONF = `global_defs {
    router_id lb1
}

vrrp_instance VI_1 {
    virtual_router_id 51
    virtual_ipaddress {
        10.20.0.100/24 dev eth0
    }
}

virtual_server 10.20.0.100 443 {
    delay_loop 6

    # harbor1 { not a brace that counts
    real_server 10.20.0.21 443 {
        MISC_CHECK {
            misc_path "/usr/local/bin/check.sh 10.20.0.21"
        }
    }
}

virtual_server_group web
{
    10.20.0.100 80
}

virtual_server 10.20.0.100 80 {
    real_server 10.20.0.21 80 {
        TCP_CHECK { connect_timeout 3 }
    }
}
`;

test("stripCheckers: keeps global_defs and VRRP line for line, drops every virtual_server block", () => {
  assert.equal(
    stripCheckers(CONF),
    `global_defs {
    router_id lb1
}

vrrp_instance VI_1 {
    virtual_router_id 51
    virtual_ipaddress {
        10.20.0.100/24 dev eth0
    }
}

`,
  );
});

test("stripCheckers: a file without virtual servers is left as it is", () => {
  const vrrpOnly = stripCheckers(CONF);
  assert.equal(stripCheckers(vrrpOnly), vrrpOnly);
});

test("stripCheckers: the haproxy mode's vrrp_script and its track_script go, the instance stays whole", async () => {
  const { readFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { projectRoot } = await import("../../../src/paths.js");
  const conf = readFileSync(join(projectRoot(), "test", "golden", "example-haproxy", "lb1", "etc", "keepalived", "keepalived.conf"), "utf8");
  const stripped = stripCheckers(conf);
  assert.doesNotMatch(stripped, /vrrp_script|track_script|harbor_ha_haproxy/);
  // Only those lines went: everything else is as it was, in order.
  const gone = conf
    .split("\n")
    .filter((l) => !stripped.split("\n").includes(l))
    .map((l) => l.trim())
    .filter(Boolean);
  assert.ok(
    gone.every((l) => /^(#|vrrp_script|script|interval|timeout|fall|rise|track_script|harbor_ha_haproxy|\})/.test(l)),
    gone.join("\n"),
  );
  assert.match(stripped, /virtual_ipaddress \{\n\s+10\.20\.0\.100\/24 dev eth0\n\s+\}\n\}/);
});
