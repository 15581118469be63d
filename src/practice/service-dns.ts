import type Dockerode from "dockerode";
import { execa } from "execa";
import type { ExecOutput, ProbeResult } from "../core/outcome.js";
import { runProbe } from "../probes/probe-batch.js";
import { quote, type ProbeSite } from "../runtime/site.js";
import type { ServiceDnsData } from "./exercise-schema.js";

/** How a service-dns step went: what the name should answer, what it did, and what to look at. */
export interface ServiceDnsOutcome {
  held: boolean;
  /** The addresses it should resolve to, sorted (empty when they could not be known). */
  expected: string[];
  /** What the lookup saw, or why there was no lookup. */
  observed: string;
  hint?: string;
  command?: string;
}

/** The engine a container runs on, with the -H that reaches it by hand. */
export interface ServiceDnsEngine {
  docker: Dockerode;
  cli: string;
}

interface TaskInfo {
  Status?: { State?: string };
  NetworksAttachments?: Array<{ Network?: { ID?: string; Spec?: { Name?: string } }; Addresses?: string[] }>;
}

interface ServiceInfo {
  Spec?: { EndpointSpec?: { Mode?: string } };
  Endpoint?: { VirtualIPs?: Array<{ NetworkID?: string; Addr?: string }> };
}

const withoutPrefix = (cidr: string) => cidr.split("/")[0] ?? cidr;

/** busybox nslookup in the container through the docker CLI, as the learner would type it (`docker -H … exec`). */
function execSite(engine: ServiceDnsEngine, container: string): ProbeSite {
  const prefix = engine.cli.split(" ").slice(1);
  return {
    name: container,
    async run(argv, timeoutMs): Promise<ExecOutput> {
      const result = await execa("docker", [...prefix, "exec", container, ...argv], {
        reject: false,
        stdin: "ignore",
        timeout: timeoutMs,
      });
      return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    describe: (argv) => `${engine.cli} exec ${container} ${quote(argv)}`,
  };
}

function isMissing(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

/**
 * Looks `lookup` up from inside `from` and compares the answer with what the swarm's manager says the service
 * is: its running tasks' addresses on a network `from` is on, or its virtual address there. One lookup, no
 * connection: a virtual address answers only through IPVS, which this kernel may lack.
 */
export async function gradeServiceDns(
  step: ServiceDnsData,
  options: { manager: ServiceDnsEngine; from: ServiceDnsEngine; timeoutMs: number },
): Promise<ServiceDnsOutcome> {
  const { manager, from } = options;
  let service: ServiceInfo;
  try {
    service = (await manager.docker.getService(step.service).inspect()) as ServiceInfo;
  } catch (error) {
    if (!isMissing(error)) throw error;
    return {
      held: false,
      expected: [],
      observed: `there is no service ${step.service}`,
      hint: `create it on the manager: ${manager.cli} service create --no-resolve-image --name ${step.service} …`,
      command: `${manager.cli} service ls`,
    };
  }
  const networks = Object.keys((await from.docker.getContainer(step.from).inspect()).NetworkSettings.Networks ?? {});
  const tasks = (await manager.docker.listTasks({
    filters: { service: [step.service], "desired-state": ["running"] },
  })) as TaskInfo[];
  const attachments = tasks
    .filter((task) => task.Status?.State === "running")
    .flatMap((task) => task.NetworksAttachments ?? [])
    .filter((attachment) => networks.includes(attachment.Network?.Spec?.Name ?? ""));
  const shared = new Map(
    attachments.map((attachment) => [attachment.Network?.ID ?? "", attachment.Network?.Spec?.Name]),
  );
  const taskAddresses = attachments.flatMap((attachment) => (attachment.Addresses ?? []).map(withoutPrefix)).sort();
  const vips = (service.Endpoint?.VirtualIPs ?? [])
    .filter((vip) => shared.has(vip.NetworkID ?? ""))
    .map((vip) => withoutPrefix(vip.Addr ?? ""));
  const mode = service.Spec?.EndpointSpec?.Mode ?? "vip";
  const expected = step.answers === "tasks" ? taskAddresses : vips;
  if (expected.length === 0) {
    return {
      held: false,
      expected,
      observed:
        taskAddresses.length === 0
          ? `no running task of ${step.service} is on a network ${step.from} is on (${networks.join(", ") || "none"})`
          : `${step.service} has no virtual address (it was created with --endpoint-mode ${mode})`,
      hint:
        taskAddresses.length === 0
          ? `run the service on ${step.from}'s network (--network) and wait for its tasks: ${manager.cli} service ps ${step.service}`
          : `a service gets a virtual address only with the default --endpoint-mode vip`,
      command: `${manager.cli} service inspect -f '{{json .Endpoint}}' ${step.service}`,
    };
  }
  const result: ProbeResult = await runProbe(
    execSite(from, step.from),
    { kind: "dns", name: step.lookup },
    options.timeoutMs,
  );
  const answered = [...new Set(result.addresses ?? [])].sort();
  const held =
    result.outcome === "resolved" &&
    answered.length === expected.length &&
    answered.every((address, index) => address === expected[index]);
  const observed =
    result.outcome === "resolved" ? `resolved to ${answered.join(", ")}` : `${result.outcome}: ${result.detail}`;
  const vipOnly = answered.length > 0 && answered.every((address) => vips.includes(address));
  const tasksOnly = answered.length > 0 && answered.every((address) => taskAddresses.includes(address));
  const hint = held
    ? undefined
    : step.answers === "tasks" && vipOnly
      ? `${step.lookup} answers with the service's virtual address: ${step.service} runs with --endpoint-mode ${mode}; with dnsrr its name answers with its tasks (tasks.${step.service} always does)`
      : step.answers === "vip" && tasksOnly
        ? `${step.lookup} answers with task addresses: ${step.service} runs with --endpoint-mode ${mode}, and only vip gives it one virtual address`
        : tasksOnly
          ? `only some tasks answered (${answered.length} of ${expected.length}): wait until every replica runs (${manager.cli} service ps ${step.service})`
          : undefined;
  return {
    held,
    expected,
    observed,
    ...(hint ? { hint } : {}),
    command: result.command,
  };
}
