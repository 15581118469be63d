import { describe, expect, it } from "vitest";
import { InstallRefusedError } from "../lifecycle/provision.js";
import { runSuite, suiteOptions, type SuiteSteps } from "./suite-run.js";

/** Steps that record what npm test did, in order; provisioning refuses when `refusal` is given. */
function recording(refusal?: string, vitestCode = 0) {
  const done: string[] = [];
  const lines: string[] = [];
  const steps: SuiteSteps = {
    async provision(features, noInstall) {
      done.push(`provision ${features.join(",")}${noInstall ? " --no-install" : ""}`);
      if (refusal) throw new InstallRefusedError(refusal);
    },
    async vitest(args, env) {
      done.push(`vitest ${args.join(" ")} NETLAB_UPLINK_WATCH=${env.NETLAB_UPLINK_WATCH}`);
      return vitestCode;
    },
    fail: (line) => lines.push(line),
  };
  return { done, lines, steps };
}

describe("npm test's own arguments", () => {
  it("--no-install is npm test's; every other argument is vitest's, in order", () => {
    expect(suiteOptions(["--project", "unit", "--no-install", "-t", "x"], {})).toMatchObject({
      noInstall: true,
      vitestArgs: ["run", "--project", "unit", "-t", "x"],
    });
  });

  it("NETLAB_NO_INSTALL=1 means --no-install; control: unset, 0 or false do not", () => {
    expect(suiteOptions([], { NETLAB_NO_INSTALL: "1" }).noInstall).toBe(true);
    for (const value of [undefined, "", "0", "false"])
      expect(suiteOptions([], { NETLAB_NO_INSTALL: value }).noInstall, String(value)).toBe(false);
  });

  it("the uplink watch is on unless NETLAB_UPLINK_WATCH says otherwise; tcpdump is needed only while it is on", () => {
    expect(suiteOptions([], {})).toMatchObject({ uplinkWatch: "1", features: expect.arrayContaining(["uplinkWatch"]) });
    expect(suiteOptions([], { NETLAB_UPLINK_WATCH: "strict" })).toMatchObject({
      uplinkWatch: "strict",
      features: expect.arrayContaining(["uplinkWatch"]),
    });
    expect(suiteOptions([], { NETLAB_UPLINK_WATCH: "0" }).features).not.toContain("uplinkWatch");
  });
});

describe("npm test", () => {
  it("with a tool missing and installing off: one line, a non-zero exit, and vitest never starts", async () => {
    const { done, lines, steps } = recording("1 tool(s) missing and installing is off");
    expect(await runSuite(["--no-install"], {}, steps)).toBe(1);
    expect(done).toEqual([
      "provision compose,capture,cni,openvswitch,ethtool,topology,browser,uplinkWatch --no-install",
    ]);
    expect(lines).toEqual(["netlab: 1 tool(s) missing and installing is off"]);
  });

  it("control: everything there, vitest runs with the remaining arguments and its exit code is npm test's", async () => {
    for (const code of [0, 1, 130]) {
      const { done, lines, steps } = recording(undefined, code);
      expect(await runSuite(["--project", "unit"], {}, steps)).toBe(code);
      expect(done).toEqual([
        "provision compose,capture,cni,openvswitch,ethtool,topology,browser,uplinkWatch",
        "vitest run --project unit NETLAB_UPLINK_WATCH=1",
      ]);
      expect(lines).toEqual([]);
    }
  });
});
