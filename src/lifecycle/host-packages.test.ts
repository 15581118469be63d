import { describe, expect, it } from "vitest";
import { aptInstallArgs, BASE_NEEDS, describeInstall, FEATURE_NEEDS, planProvision, type HostState } from "./host-packages.js";

const all = [...BASE_NEEDS, ...Object.values(FEATURE_NEEDS)];
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
    expect(plan.install).toEqual([{ package: "graphviz", why: FEATURE_NEEDS.topology.why }]);
  });

  it.each(["docker-ce", "docker-desktop", "moby-engine", "podman-docker"])("never installs beside %s: says how to start it", (other) => {
    const plan = planProvision(state({ enginePackages: [other] }), all);
    expect(plan.install).toEqual([]);
    expect(plan.engine).toMatchObject({ kind: "start-yourself", why: expect.stringContaining(`${other} is installed but no engine answers`) });
  });

  it("never installs beside a dockerd that no package of Debian's owns", () => {
    const plan = planProvision(state({ foreignDockerd: "/usr/local/bin/dockerd" }), all);
    expect(plan).toMatchObject({ engine: { kind: "start-yourself", why: expect.stringContaining("/usr/local/bin/dockerd") }, install: [] });
  });

  it("starts an installed docker.io without installing it again", () => {
    const plan = planProvision(state({ enginePackages: ["docker.io"], present: () => true }), all);
    expect(plan).toEqual({ engine: { kind: "start-installed" }, install: [] });
  });

  it("installs docker.io only where no engine answers and none is installed, first and with its reason", () => {
    const plan = planProvision(state({ present: () => true }), BASE_NEEDS);
    expect(plan.engine).toEqual({ kind: "install-and-start" });
    expect(plan.install).toEqual([{ package: "docker.io", why: expect.stringContaining("none answers") }]);
  });

  it("asks the user to start Docker where netlab may not install (not root, not Debian, DOCKER_HOST)", () => {
    expect(planProvision(state({ canInstall: false }), all)).toMatchObject({ engine: { kind: "start-yourself" }, install: [] });
  });
});

describe("apt-get", () => {
  it("every install carries --no-remove, so apt aborts rather than remove a package", () => {
    expect(aptInstallArgs(["docker.io"])).toEqual(["install", "-y", "-qq", "--no-remove", "docker.io"]);
  });

  it("says in one line which packages and why", () => {
    const line = describeInstall([{ package: "graphviz", why: "pictures" }, { package: "tcpdump", why: "watch" }]);
    expect(line).toBe("installing from Debian with apt-get --no-remove: graphviz (pictures), tcpdump (watch)");
    expect(line).not.toContain("\n");
  });
});
