/** keepalivedCheckOutcome and stripVirtualServers: how `keepalived -t` is judged. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { keepalivedCheckOutcome, stripVirtualServers } from "../../../src/plan/keepalived-check.js";

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

test("stripVirtualServers: keeps global_defs and VRRP line for line, drops every virtual_server block", () => {
  assert.equal(
    stripVirtualServers(CONF),
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

test("stripVirtualServers: a file without virtual servers is left as it is", () => {
  const vrrpOnly = stripVirtualServers(CONF);
  assert.equal(stripVirtualServers(vrrpOnly), vrrpOnly);
});
