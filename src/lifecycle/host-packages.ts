/**
 * What netlab may install on a host, and why: a pure plan from what is already there. Nothing here runs a
 * command; `provision.ts` gathers the facts and carries the plan out.
 */

/** A capability netlab uses; each is satisfied by a command (or file) already present, or by one Debian package. */
export interface HostNeed {
  package: string;
  why: string;
  /** Commands on PATH or absolute paths; any one of them present satisfies the need. */
  satisfiedBy: string[];
}

export const ENGINE_PACKAGE = "docker.io";

/** Every lab run: the probe image is built from a static busybox; ip and nsenter look into namespaces. */
export const BASE_NEEDS: HostNeed[] = [
  { package: "busybox-static", why: "the probe image is built from it", satisfiedBy: ["/bin/busybox"] },
  { package: "iproute2", why: "ip, to read and build network namespaces", satisfiedBy: ["ip"] },
  { package: "util-linux", why: "nsenter, to look inside a container's namespace", satisfiedBy: ["nsenter"] },
];

/** Only some features: installed by `netlab provision`, or by the feature that needs it. */
export const FEATURE_NEEDS = {
  compose: {
    package: "docker-compose",
    why: "compose v1 for the compose lab, where no compose v2 answers",
    satisfiedBy: ["docker-compose", "docker compose"],
  },
  topology: { package: "graphviz", why: "the topology pictures in the reports", satisfiedBy: ["dot"] },
  browser: { package: "chromium", why: "the test that opens the HTML report", satisfiedBy: ["/usr/bin/chromium"] },
  uplinkWatch: {
    package: "tcpdump",
    why: "the test that proves no packet leaves by the uplink",
    satisfiedBy: ["tcpdump"],
  },
  capture: {
    package: "tcpdump",
    why: "the labs that read the wire between nodes (VXLAN, tunnels)",
    satisfiedBy: ["tcpdump"],
  },
  cni: {
    package: "containernetworking-plugins",
    why: "the CNI plugins (bridge, host-local, portmap) the pods lab calls as a runtime does",
    satisfiedBy: ["/usr/lib/cni/bridge"],
  },
  ethtool: {
    package: "ethtool",
    why: "the openvswitch lab turns its pods' TX checksum offload off, as a tunnel's TCP needs",
    satisfiedBy: ["ethtool"],
  },
  openvswitch: {
    package: "openvswitch-switch",
    why: "Open vSwitch's daemons and tools for the openvswitch and weave labs (netlab runs private ones)",
    satisfiedBy: ["ovs-vswitchd"],
  },
} satisfies Record<string, HostNeed>;

/** The labs that need a feature beyond every run's: `netlab run LAB` provisions just those. */
export const LAB_FEATURES: Record<string, Feature[]> = {
  compose: ["compose"],
  overlay: ["capture"],
  flannel: ["capture"],
  pods: ["cni", "capture"],
  openvswitch: ["openvswitch", "ethtool", "capture"],
  weave: ["openvswitch", "capture"],
};

/** What a lab run provisions for the labs it runs (every lab when none is named). */
export function labFeatures(labs: string[], every: string[]): Feature[] {
  return [...new Set((labs.length > 0 ? labs : every).flatMap((lab) => LAB_FEATURES[lab] ?? []))];
}

export type Feature = keyof typeof FEATURE_NEEDS;

/**
 * What `npm test` needs beyond BASE_NEEDS, the one place that says so: the compose lab, the report pictures,
 * Debian's Chromium for the test that opens the HTML report unless the user names another (NETLAB_CHROMIUM),
 * and the uplink watch's tcpdump unless the watch is off.
 */
export function testSuiteFeatures(options: { uplinkWatch: boolean; ownChromium: boolean }): Feature[] {
  return [
    // The labs' own (the compose lab's first): every lab runs in npm test.
    ...new Set(Object.values(LAB_FEATURES).flat()),
    "topology",
    ...(options.ownChromium ? [] : (["browser"] as const)),
    ...(options.uplinkWatch ? (["uplinkWatch"] as const) : []),
  ];
}

/** Every need of BASE_NEEDS and of the features asked for, each package once (the first feature's reason). */
export function needsFor(features: Feature[]): HostNeed[] {
  // One package may serve two features (tcpdump): it is named, announced and installed once.
  const byPackage = new Map<string, HostNeed>();
  for (const need of [...BASE_NEEDS, ...features.map((feature) => FEATURE_NEEDS[feature])])
    if (!byPackage.has(need.package)) byPackage.set(need.package, need);
  return [...byPackage.values()];
}

/** Engines packaged by others than Debian's docker.io: netlab never installs beside them, it says how to start them. */
export const OTHER_ENGINES: { package: string; start: string }[] = [
  { package: "docker-ce", start: "sudo systemctl start docker" },
  { package: "docker-ee", start: "sudo systemctl start docker" },
  { package: "moby-engine", start: "sudo systemctl start docker" },
  { package: "docker-desktop", start: "start Docker Desktop (systemctl --user start docker-desktop)" },
  { package: "podman-docker", start: "sudo systemctl start podman.socket" },
];

/** What is already on the host, as far as the plan cares. */
export interface HostState {
  engineAnswers: boolean;
  /** netlab may install and start an engine here: Linux, root, apt, the default local socket. */
  canInstall: boolean;
  /** Installed Debian packages among docker.io and OTHER_ENGINES. */
  enginePackages: string[];
  /** A `dockerd` found on PATH that no docker.io package owns (a static or hand-made install), if any. */
  foreignDockerd?: string;
  /** Needs whose command or file is present. */
  present: (need: HostNeed) => boolean;
}

export type EngineStep =
  | { kind: "use-running" }
  | { kind: "start-installed" }
  | { kind: "install-and-start" }
  | { kind: "start-yourself"; why: string };

/** A package to install: the command (or file) it brings and why netlab needs it. */
export interface Install {
  package: string;
  tool: string;
  why: string;
}

export interface ProvisionPlan {
  engine: EngineStep;
  /** Packages to install, each with its reason, in one apt-get call. */
  install: Install[];
}

/**
 * The plan for one call: an engine only where none answers and no other Docker is installed, then the
 * needs asked for that are missing. An answering engine means nothing engine-related is installed, ever.
 */
export function planProvision(state: HostState, needs: HostNeed[]): ProvisionPlan {
  const install = needs
    .filter((need) => !state.present(need))
    .map(({ package: name, why, satisfiedBy }) => ({ package: name, tool: satisfiedBy[0]!, why }));
  if (state.engineAnswers) return { engine: { kind: "use-running" }, install };
  const other = OTHER_ENGINES.find((engine) => state.enginePackages.includes(engine.package));
  if (other)
    return {
      engine: {
        kind: "start-yourself",
        why: `${other.package} is installed but no engine answers: ${other.start}, then run again`,
      },
      install: [],
    };
  if (state.foreignDockerd) {
    return {
      engine: {
        kind: "start-yourself",
        why: `a dockerd is installed at ${state.foreignDockerd} but no engine answers: start it (as you installed it), then run again`,
      },
      install: [],
    };
  }
  if (!state.canInstall)
    return {
      engine: {
        kind: "start-yourself",
        why: 'netlab starts an engine itself only on Debian or Ubuntu as root: start Docker yourself (Docker Desktop, "sudo systemctl start docker") and run again',
      },
      install: [],
    };
  if (state.enginePackages.includes(ENGINE_PACKAGE)) return { engine: { kind: "start-installed" }, install };
  const engine = {
    package: ENGINE_PACKAGE,
    tool: "dockerd",
    why: "the Docker engine: none answers and none is installed",
  };
  return { engine: { kind: "install-and-start" }, install: [engine, ...install] };
}

/**
 * The one apt-get call: `--no-remove` makes apt abort rather than remove any package (docker-ce, say). Where
 * the plan installs no engine, recommended packages stay out: docker-compose recommends docker.io, which
 * would put a second engine beside the one that answers.
 */
export function aptInstallArgs(plan: ProvisionPlan): string[] {
  const recommends = plan.engine.kind === "install-and-start" ? [] : ["--no-install-recommends"];
  return ["install", "-y", "-qq", "--no-remove", ...recommends, ...plan.install.map((item) => item.package)];
}

/** One line naming each package and why, said before anything is installed. */
export function describeInstall(install: Install[]): string {
  return `installing from Debian with apt-get --no-remove: ${install.map((item) => `${item.package} (${item.why})`).join(", ")}`;
}

/** One line per missing tool, when installing is off or not netlab's to do: the tool, its package, why. */
export function describeMissing(install: Install[], because: string): string[] {
  return install.map(
    (item) => `missing ${item.tool} (Debian package ${item.package}): ${item.why}; not installed: ${because}`,
  );
}

/** The command that installs what is missing beside an engine that answers, for the user to run. */
export function installCommand(install: Install[]): string {
  return `sudo apt-get install --no-remove --no-install-recommends ${install.map((item) => item.package).join(" ")}`;
}

export interface MissingPolicy {
  /** `--no-install` or NETLAB_NO_INSTALL: nothing is installed. */
  noInstall: boolean;
  /** A tool left missing stops the caller (npm test), rather than being reported and let be (netlab provision). */
  failOnMissing: boolean;
  /** root, Linux and apt-get: netlab may install packages at all. */
  mayInstall: boolean;
}

/**
 * What to do about the plan's packages: nothing, install them (announced in one line), or name each missing
 * tool in a line of its own and then either carry on or stop with `refusal` (exit non-zero, before any
 * engine is started).
 */
export type MissingStep =
  | { kind: "none" }
  | { kind: "install"; announce: string }
  | { kind: "report"; lines: string[] }
  | { kind: "refuse"; lines: string[]; refusal: string };

const INSTALL_OFF = "--no-install or NETLAB_NO_INSTALL";

export function missingStep(plan: ProvisionPlan, policy: MissingPolicy): MissingStep {
  const { install } = plan;
  if (install.length === 0) return { kind: "none" };
  if (policy.noInstall) {
    const lines = describeMissing(install, INSTALL_OFF);
    if (install.some((item) => item.package === ENGINE_PACKAGE)) {
      return {
        kind: "refuse",
        lines,
        refusal: `no Docker engine answers and installing is off (${INSTALL_OFF}): install ${ENGINE_PACKAGE} or start Docker yourself`,
      };
    }
    if (!policy.failOnMissing) return { kind: "report", lines };
    return {
      kind: "refuse",
      lines,
      refusal: `${install.length} tool(s) missing and installing is off (${INSTALL_OFF}): install them with "${installCommand(install)}", or run again without it`,
    };
  }
  if (!policy.mayInstall) {
    const lines = describeMissing(install, "netlab installs only as root with apt-get");
    return {
      kind: "refuse",
      lines,
      refusal: `${install.length} tool(s) missing: install them with "${installCommand(install)}", then run again`,
    };
  }
  return { kind: "install", announce: describeInstall(install) };
}
