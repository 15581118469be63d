import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import createDebug from "debug";
import { execa } from "execa";
import { missingTools } from "./packet-capture.js";
import { quote } from "./site.js";

const debug = createDebug("netlab");

/** Where Debian's openvswitch-common keeps the schema a fresh database is made from. */
const SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";
const DAEMONS = ["ovsdb-server", "ovs-vswitchd"] as const;
type Daemon = (typeof DAEMONS)[number];
/** Revalidation rounds at most this far apart (Open vSwitch's default is 500 ms). */
const MAX_REVALIDATOR_MS = 100;
/** How long a daemon told to stop (SIGTERM) gets before SIGKILL. */
const STOP_PATIENCE_MS = 2000;

export class OvsError extends Error {
  override name = "OvsError";
}

/** The tools a private Open vSwitch needs, and the Debian package that has them all. */
const OVS_TOOLS = ["ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"];
const OVS_PACKAGE = "openvswitch-switch";

/**
 * What an Open vSwitch lab needs that this host lacks (its switches' tools, and tcpdump to read the underlay),
 * and the words a skipped claim gives: which tools, which Debian packages, how netlab installs them.
 */
export function ovsLabNeeds(lab: string, path?: string): { missing: string[]; reason?: string } {
  const missing = missingTools([...OVS_TOOLS, "tcpdump"], path);
  if (missing.length === 0) return { missing };
  const packages = [...new Set(missing.map((tool) => (tool === "tcpdump" ? "tcpdump" : OVS_PACKAGE)))];
  return {
    missing,
    reason: `needs ${missing.join(", ")}, not installed: install ${packages.join(" and ")} (netlab run ${lab} installs ${packages.length > 1 ? "them" : "it"} unless --no-install)`,
  };
}

/** True while `pid` runs (a zombie waiting for its reaper counts as gone). */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // Field 3, after the parenthesised command name (which may hold spaces), is the state.
  const state = /\)\s+(\S)/.exec(stat)?.[1];
  return state !== undefined && state !== "Z" && state !== "X";
}

/** The command line of `pid`, words joined by spaces ("" when it is gone). */
async function commandLine(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return raw.split("\0").join(" ").trim();
}

/**
 * Stops an Open vSwitch daemon by the pid in its pid file, only when that pid still runs a daemon of this `dir`
 * (its command line names the directory): a pid reused by another process is never signalled. Returns the pid
 * it stopped, or undefined.
 */
export async function stopDaemonByPidFile(pidFile: string, dir: string): Promise<number | undefined> {
  const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const command = await commandLine(pid);
  if (!/\bovs(db-server|-vswitchd)\b/.test(command) || !command.includes(dir)) return undefined;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return undefined;
  }
  const deadline = Date.now() + STOP_PATIENCE_MS;
  while ((await isRunning(pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (await isRunning(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone between the check and the signal
    }
  }
  return pid;
}

/** CPU time (user + system) a process has used, in clock ticks, or undefined when it is gone. */
async function cpuTicks(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/**
 * A private Open vSwitch: its own `ovsdb-server` and `ovs-vswitchd`, running inside one network namespace (so
 * its ports and tap devices live there), with database, sockets, pid files and logs in `dir`. Never the
 * system's /var/run/openvswitch: every tool is pointed at this switch's sockets. Stopped by pid.
 */
export class OvsSwitch {
  readonly namespace: string;
  readonly dir: string;
  /** Every command run, in order, as a learner would type it. */
  readonly commands: string[];

  constructor(namespace: string, dir: string, commands: string[] = []) {
    this.namespace = namespace;
    this.dir = dir;
    this.commands = commands;
  }

  get database(): string {
    return join(this.dir, "conf.db");
  }

  /** The socket ovs-vsctl talks to. */
  get dbSocket(): string {
    return join(this.dir, "db.sock");
  }

  pidFile(daemon: Daemon): string {
    return join(this.dir, `${daemon}.pid`);
  }

  logFile(daemon: Daemon): string {
    return join(this.dir, `${daemon}.log`);
  }

  private control(daemon: Daemon): string {
    return join(this.dir, `${daemon}.ctl`);
  }

  /** Runs an Open vSwitch tool, keeping the command; `inside` runs it in the namespace (the daemons must be). */
  private async run(file: string, args: string[], inside = false): Promise<string> {
    const argv = inside ? ["ip", "netns", "exec", this.namespace, file, ...args] : [file, ...args];
    this.commands.push(quote(argv));
    // The daemons put what they make (bridges' OpenFlow sockets, control sockets) in their run directory.
    const env = { OVS_RUNDIR: this.dir, OVS_LOGDIR: this.dir, OVS_DBDIR: this.dir };
    const result = await execa(argv[0] ?? file, argv.slice(1), { reject: false, env, stdin: "ignore" });
    if (result.exitCode !== 0)
      throw new OvsError(`"${quote(argv)}" failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`);
    return String(result.stdout);
  }

  /** ovs-vsctl against this switch's database only. */
  vsctl(...args: string[]): Promise<string> {
    return this.run("ovs-vsctl", [`--db=unix:${this.dbSocket}`, "--timeout=10", ...args]);
  }

  /** ovs-ofctl against one bridge of this switch, by its OpenFlow management socket. */
  ofctl(command: string, bridge: string, ...args: string[]): Promise<string> {
    return this.run("ovs-ofctl", [command, `unix:${join(this.dir, `${bridge}.mgmt`)}`, ...args]);
  }

  /** ovs-appctl against this switch's ovs-vswitchd. */
  appctl(...args: string[]): Promise<string> {
    return this.run("ovs-appctl", ["-t", this.control("ovs-vswitchd"), ...args]);
  }

  /**
   * Waits until the datapath's cached flows follow the OpenFlow tables and configuration: ovs-ofctl and
   * ovs-vsctl return once the tables changed, while flows the datapath already caches (a ping a moment ago)
   * are revalidated a little later. `revalidator/wait` returns after a whole revalidation round.
   */
  async settle(): Promise<void> {
    await this.appctl("revalidator/wait");
  }

  private startDaemon(daemon: Daemon): Promise<string> {
    const common = [
      `--unixctl=${this.control(daemon)}`,
      `--pidfile=${this.pidFile(daemon)}`,
      `--log-file=${this.logFile(daemon)}`,
      "-vconsole:off",
      "--detach",
      "--no-chdir",
    ];
    return daemon === "ovsdb-server"
      ? this.run(daemon, [this.database, `--remote=punix:${this.dbSocket}`, ...common], true)
      : this.run(daemon, [`unix:${this.dbSocket}`, ...common], true);
  }

  /**
   * A fresh database, both daemons, and its one Open_vSwitch row (revalidating every 100 ms). With `tso`, `other_config:userspace-tso-enable`
   * is set before ovs-vswitchd reads it (it reads it once, when it starts).
   */
  async start(options: { tso?: boolean } = {}): Promise<void> {
    debug("Starting Open vSwitch in %s…", this.namespace);
    await mkdir(this.dir, { recursive: true });
    await this.run("ovsdb-tool", ["create", this.database, SCHEMA]);
    await this.startDaemon("ovsdb-server");
    // Revalidation every 100 ms instead of 500: settle() waits for a round, and a lab settles after each change.
    await this.run("ovs-vsctl", [
      `--db=unix:${this.dbSocket}`,
      "--no-wait",
      "init",
      "--",
      "set",
      "Open_vSwitch",
      ".",
      `other_config:max-revalidator=${MAX_REVALIDATOR_MS}`,
    ]);
    if (options.tso) await this.setTso(true);
    await this.startDaemon("ovs-vswitchd");
    debug("Started Open vSwitch in %s", this.namespace);
  }

  private async setTso(on: boolean): Promise<void> {
    await this.run("ovs-vsctl", [
      `--db=unix:${this.dbSocket}`,
      "--no-wait",
      "set",
      "Open_vSwitch",
      ".",
      `other_config:userspace-tso-enable=${on}`,
    ]);
  }

  /** Sets userspace TSO and restarts ovs-vswitchd by pid, which reads it only when it starts; bridges come back from the database. */
  async restartWithTso(on: boolean): Promise<void> {
    await this.setTso(on);
    this.commands.push(`kill $(cat ${this.pidFile("ovs-vswitchd")})`);
    await stopDaemonByPidFile(this.pidFile("ovs-vswitchd"), this.dir);
    await this.startDaemon("ovs-vswitchd");
  }

  /** The running daemons' pids, by name (a daemon not running is left out). */
  async pids(): Promise<Partial<Record<Daemon, number>>> {
    const found: Partial<Record<Daemon, number>> = {};
    for (const daemon of DAEMONS) {
      const pid = Number((await readFile(this.pidFile(daemon), "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 1 && (await isRunning(pid))) found[daemon] = pid;
    }
    return found;
  }

  /** Both daemons' CPU use over `ms`, in percent of one core: what an idle switch costs. */
  async cpuPercent(ms: number): Promise<Partial<Record<Daemon, number>>> {
    const pids = await this.pids();
    const before = await Promise.all(DAEMONS.map((daemon) => cpuTicks(pids[daemon] ?? 0)));
    await new Promise((resolve) => setTimeout(resolve, ms));
    const after = await Promise.all(DAEMONS.map((daemon) => cpuTicks(pids[daemon] ?? 0)));
    // Linux reports CPU time in USER_HZ ticks, 100 a second on every architecture netlab runs on.
    const percent: Partial<Record<Daemon, number>> = {};
    DAEMONS.forEach((daemon, index) => {
      const [start, end] = [before[index], after[index]];
      if (start !== undefined && end !== undefined) percent[daemon] = Math.round(((end - start) / ms) * 100_000) / 100;
    });
    return percent;
  }

  /** What ovs-vswitchd logged so far, lines matching `pattern`. */
  async logLines(pattern: RegExp, daemon: Daemon = "ovs-vswitchd"): Promise<string[]> {
    const text = await readFile(this.logFile(daemon), "utf8").catch(() => "");
    return text.split("\n").filter((line) => pattern.test(line));
  }

  /** Stops both daemons by pid, ovs-vswitchd first. Safe to call twice. */
  async stop(): Promise<void> {
    for (const daemon of [...DAEMONS].reverse()) await stopDaemonByPidFile(this.pidFile(daemon), this.dir);
  }
}
