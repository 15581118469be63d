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
  compose: { package: "docker-compose", why: "compose v1 for the compose lab, where no compose v2 answers", satisfiedBy: ["docker-compose", "docker compose"] },
  topology: { package: "graphviz", why: "the topology pictures in the reports", satisfiedBy: ["dot"] },
  browser: { package: "chromium", why: "the test that opens the HTML report", satisfiedBy: ["/usr/bin/chromium"] },
  uplinkWatch: { package: "tcpdump", why: "the test that proves no packet leaves by the uplink", satisfiedBy: ["tcpdump"] },
} satisfies Record<string, HostNeed>;

export type Feature = keyof typeof FEATURE_NEEDS;

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

export interface ProvisionPlan {
  engine: EngineStep;
  /** Packages to install, each with its reason, in one apt-get call. */
  install: { package: string; why: string }[];
}

/**
 * The plan for one call: an engine only where none answers and no other Docker is installed, then the
 * needs asked for that are missing. An answering engine means nothing engine-related is installed, ever.
 */
export function planProvision(state: HostState, needs: HostNeed[]): ProvisionPlan {
  const install = needs.filter((need) => !state.present(need)).map(({ package: name, why }) => ({ package: name, why }));
  if (state.engineAnswers) return { engine: { kind: "use-running" }, install };
  const other = OTHER_ENGINES.find((engine) => state.enginePackages.includes(engine.package));
  if (other) return { engine: { kind: "start-yourself", why: `${other.package} is installed but no engine answers: ${other.start}, then run again` }, install: [] };
  if (state.foreignDockerd) {
    return { engine: { kind: "start-yourself", why: `a dockerd is installed at ${state.foreignDockerd} but no engine answers: start it (as you installed it), then run again` }, install: [] };
  }
  if (!state.canInstall) return { engine: { kind: "start-yourself", why: "netlab starts an engine itself only on Debian or Ubuntu as root: start Docker yourself (Docker Desktop, \"sudo systemctl start docker\") and run again" }, install: [] };
  if (state.enginePackages.includes(ENGINE_PACKAGE)) return { engine: { kind: "start-installed" }, install };
  return { engine: { kind: "install-and-start" }, install: [{ package: ENGINE_PACKAGE, why: "the Docker engine: none answers and none is installed" }, ...install] };
}

/** The one apt-get call: `--no-remove` makes apt abort rather than remove any package (docker-ce, say). */
export function aptInstallArgs(packages: string[]): string[] {
  return ["install", "-y", "-qq", "--no-remove", ...packages];
}

/** One line naming each package and why, said before anything is installed. */
export function describeInstall(install: ProvisionPlan["install"]): string {
  return `installing from Debian with apt-get --no-remove: ${install.map((item) => `${item.package} (${item.why})`).join(", ")}`;
}
