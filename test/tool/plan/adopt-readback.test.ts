/**
 * adopt's read-back on Harbor's own files: the HA guide's keepalived sample (as its readers fill it
 * in) and harbor.cfg and compose file from the 1.4 and 1.5 bundles, parsed as adopt reads them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { composeRelease, parseHarborCfg, parseKeepalivedConf } from "../../../src/plan/adopt-readback.js";
import { HARBOR_TEST_VERSIONS, readBundleMember } from "../../support/harbor-bundles.js";

for (const version of HARBOR_TEST_VERSIONS) {
  test(`Harbor ${version}: the guide's keepalived sample, filled in, reads back its router id, priority, interface, VIP and real servers`, () => {
    const sample = readBundleMember(version, "harbor/ha/sample/active_active/keepalived_active_active.conf")
      .replaceAll("<change_to_VIP_address>", "10.0.0.100")
      .replaceAll("<harbor_node1_ip>", "10.0.0.21")
      .replaceAll("<harbor_node2_ip>", "10.0.0.22");
    const k = parseKeepalivedConf(sample);
    assert.deepEqual(
      { routerId: k.routerId, priority: k.priority, interface: k.interface, state: k.state, advertInt: k.advertInt, vips: k.vips },
      { routerId: 51, priority: 10, interface: "ens160", state: "MASTER", advertInt: 1, vips: ["10.0.0.100/32"] },
    );
    // The https section is commented out in the sample: only port 80's servers count.
    assert.deepEqual(k.realServers, ["10.0.0.21:80", "10.0.0.22:80"]);
    assert.deepEqual(k.unicastPeers, []);
  });

  test(`Harbor ${version}: harbor.cfg's values read back without its passwords; the compose file names the release`, () => {
    const cfg = parseHarborCfg(readBundleMember(version, "harbor/harbor.cfg"));
    assert.equal(cfg["hostname"], "reg.mydomain.com");
    assert.equal(cfg["db_port"], "3306");
    for (const key of ["db_password", "harbor_admin_password", "email_password", "clair_db_password", "uaa_clientsecret"])
      assert.equal(cfg[key], undefined, `${key} was read back`);
    assert.equal(composeRelease(readBundleMember(version, "harbor/ha/docker-compose.yml")), version);
  });
}
