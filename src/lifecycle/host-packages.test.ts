import { describe, expect, it } from "vitest";
import {
  aptInstallArgs,
  BASE_NEEDS,
  describeInstall,
  describeMissing,
  FEATURE_NEEDS,
  installCommand,
  missingStep,
  needsFor,
  planProvision,
  testSuiteFeatures,
  type Feature,
  type HostState,
} from "./host-packages.js";

const all = needsFor(Object.keys(FEATURE_NEEDS) as Feature[]);
const state = (over: Partial<HostState>): HostState => ({
  engineAnswers: false,
  canInstall: true,
  enginePackages: [],
  present: () => false,
  ...over,
});

describe("planProvision", () => {
  it("never installs anything engine-related when an engine answers", () => {
    const plan = planProvision(state({ engineAnswers: true }), all);
    expect(plan.engine).toEqual({ kind: "use-running" });
    expect(plan.install.map((item) => item.package)).not.toContain("docker.io");
  });

  it("installs only the tools that are missing", () => {
    const plan = planProvision(state({ engineAnswers: true, present: (need) => need.package !== "graphviz" }), all);
    expect(plan.install).toEqual([{ package: "graphviz", tool: "dot", why: FEATURE_NEEDS.topology.why }]);
  });

  it.each(["docker-ce", "docker-desktop", "moby-engine", "podman-docker"])(
    "never installs beside %s: says how to start it",
    (other) => {
      const plan = planProvision(state({ enginePackages: [other] }), all);
      expect(plan.install).toEqual([]);
      expect(plan.engine).toMatchObject({
        kind: "start-yourself",
        why: expect.stringContaining(`${other} is installed but no engine answers`),
      });
    },
  );

  it("never installs beside a dockerd that no package of Debian's owns", () => {
    const plan = planProvision(state({ foreignDockerd: "/usr/local/bin/dockerd" }), all);
    expect(plan).toMatchObject({
      engine: { kind: "start-yourself", why: expect.stringContaining("/usr/local/bin/dockerd") },
      install: [],
    });
  });

  it("starts an installed docker.io without installing it again", () => {
    const plan = planProvision(state({ enginePackages: ["docker.io"], present: () => true }), all);
    expect(plan).toEqual({ engine: { kind: "start-installed" }, install: [] });
  });

  it("installs docker.io only where no engine answers and none is installed, first and with its reason", () => {
    const plan = planProvision(state({ present: () => true }), BASE_NEEDS);
    expect(plan.engine).toEqual({ kind: "install-and-start" });
    expect(plan.install).toEqual([
      { package: "docker.io", tool: "dockerd", why: expect.stringContaining("none answers") },
    ]);
  });

  it("asks the user to start Docker where netlab may not install (not root, not Debian, DOCKER_HOST)", () => {
    expect(planProvision(state({ canInstall: false }), all)).toMatchObject({
      engine: { kind: "start-yourself" },
      install: [],
    });
  });
});

describe("what npm test needs", () => {
  const packages = (uplinkWatch: boolean, present: (need: (typeof all)[number]) => boolean) =>
    planProvision(
      state({ engineAnswers: true, present }),
      needsFor(testSuiteFeatures({ uplinkWatch, ownChromium: false })),
    ).install.map((item) => item.package);

  it("on a machine with only an engine: every tool the suite uses, the labs' own and tcpdump among them", () => {
    expect(packages(true, () => false)).toEqual([
      "busybox-static",
      "iproute2",
      "util-linux",
      "docker-compose",
      "tcpdump",
      "containernetworking-plugins",
      "openvswitch-switch",
      "ethtool",
      "graphviz",
      "chromium",
    ]);
  });

  it("control: nothing when every tool is there; tcpdump for the wire labs even with the uplink watch off", () => {
    expect(packages(true, () => true)).toEqual([]);
    expect(packages(false, () => false)).toContain("tcpdump");
    expect(testSuiteFeatures({ uplinkWatch: false, ownChromium: false })).not.toContain("uplinkWatch");
    expect(packages(true, (need) => need.package !== "tcpdump")).toEqual(["tcpdump"]);
  });

  it("no Debian Chromium where the user names a browser of their own (NETLAB_CHROMIUM)", () => {
    expect(testSuiteFeatures({ uplinkWatch: true, ownChromium: true })).not.toContain("browser");
    expect(testSuiteFeatures({ uplinkWatch: true, ownChromium: false })).toContain("browser");
  });

  it("names each need once, however often a feature is asked for", () => {
    expect(needsFor(["topology", "topology"]).filter((need) => need.package === "graphviz")).toHaveLength(1);
  });
});

describe("apt-get", () => {
  const plan = (kind: "use-running" | "install-and-start", names: string[]) => ({
    engine: { kind },
    install: names.map((name) => ({ package: name, tool: name, why: "x" })),
  });

  it("every install carries --no-remove, so apt aborts rather than remove a package", () => {
    expect(aptInstallArgs(plan("install-and-start", ["docker.io"]))).toEqual([
      "install",
      "-y",
      "-qq",
      "--no-remove",
      "docker.io",
    ]);
  });

  it("beside an engine that answers, no recommended package: docker-compose's docker.io stays out", () => {
    expect(aptInstallArgs(plan("use-running", ["docker-compose"]))).toEqual([
      "install",
      "-y",
      "-qq",
      "--no-remove",
      "--no-install-recommends",
      "docker-compose",
    ]);
  });

  it("says in one line which packages and why", () => {
    const line = describeInstall([
      { package: "graphviz", tool: "dot", why: "pictures" },
      { package: "tcpdump", tool: "tcpdump", why: "watch" },
    ]);
    expect(line).toBe("installing from Debian with apt-get --no-remove: graphviz (pictures), tcpdump (watch)");
    expect(line).not.toContain("\n");
  });

  it("names each missing tool in a line of its own, with its package, why and why it was not installed", () => {
    const plan = planProvision(
      state({ engineAnswers: true, present: (need) => need.package !== "graphviz" && need.package !== "tcpdump" }),
      all,
    );
    expect(describeMissing(plan.install, "--no-install")).toEqual([
      `missing dot (Debian package graphviz): ${FEATURE_NEEDS.topology.why}; not installed: --no-install`,
      `missing tcpdump (Debian package tcpdump): ${FEATURE_NEEDS.uplinkWatch.why}; not installed: --no-install`,
    ]);
    expect(installCommand(plan.install)).toBe(
      "sudo apt-get install --no-remove --no-install-recommends graphviz tcpdump",
    );
  });
});

describe("what is said and done about missing tools", () => {
  const answering = (missing: string[]) =>
    planProvision(state({ engineAnswers: true, present: (need) => !missing.includes(need.package) }), all);
  const policy = { noInstall: false, failOnMissing: true, mayInstall: true };

  it("npm test --no-install: one line per missing tool, then a refusal (a non-zero exit before any test)", () => {
    const step = missingStep(answering(["tcpdump", "graphviz"]), { ...policy, noInstall: true });
    expect(step).toEqual({
      kind: "refuse",
      lines: [
        expect.stringMatching(
          /^missing dot \(Debian package graphviz\): .*; not installed: --no-install or NETLAB_NO_INSTALL$/,
        ),
        expect.stringMatching(/^missing tcpdump \(Debian package tcpdump\): /),
      ],
      refusal: `2 tool(s) missing and installing is off (--no-install or NETLAB_NO_INSTALL): install them with "sudo apt-get install --no-remove --no-install-recommends graphviz tcpdump", or run again without it`,
    });
  });

  it("control: nothing missing, nothing said, nothing refused, with --no-install too", () => {
    expect(missingStep(answering([]), { ...policy, noInstall: true })).toEqual({ kind: "none" });
  });

  it("netlab provision --no-install names what is missing and carries on", () => {
    expect(missingStep(answering(["graphviz"]), { ...policy, noInstall: true, failOnMissing: false })).toEqual({
      kind: "report",
      lines: [expect.stringMatching(/^missing dot /)],
    });
  });

  it("installing: announced in one line, each package with its reason", () => {
    const step = missingStep(answering(["tcpdump"]), policy);
    expect(step).toEqual({
      kind: "install",
      announce: `installing from Debian with apt-get --no-remove: tcpdump (${FEATURE_NEEDS.uplinkWatch.why})`,
    });
  });

  it("not root (or no apt-get): names each tool and the command to install it, never tries", () => {
    const step = missingStep(answering(["tcpdump"]), { ...policy, mayInstall: false });
    expect(step).toMatchObject({
      kind: "refuse",
      lines: [expect.stringContaining("not installed: netlab installs only as root with apt-get")],
      refusal: expect.stringContaining("sudo apt-get install"),
    });
  });

  it("no engine and installing off: refuses whatever the caller, docker.io named first", () => {
    const step = missingStep(planProvision(state({ present: () => true }), all), {
      ...policy,
      noInstall: true,
      failOnMissing: false,
    });
    expect(step).toMatchObject({
      kind: "refuse",
      lines: [expect.stringMatching(/^missing dockerd \(Debian package docker\.io\)/)],
      refusal: expect.stringContaining("no Docker engine answers"),
    });
  });
});
