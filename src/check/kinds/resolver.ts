import type { Outcome, ProbeResult } from "../../core/outcome.js";
import { resolverWords, type ResolverExpectation } from "../../core/check-file/expectations.js";
import { canonicalAddress } from "../../core/check-file/resolve-item.js";
import type { PlanContext, ProbePlan } from "../plan-probes.js";
import type { Target } from "../target.js";
import type { SiteView } from "../../probes/probe-batch.js";
import { hostsAddresses, parseHostsFile } from "../../probes/hosts-file.js";
import { splitResolverFiles } from "../../probes/lookup.js";
import { EMBEDDED_DNS, parseResolvConf, type ResolverConfig } from "../../probes/resolv-conf.js";
import type { ExpectationKind, ProbeJudgement } from "./kind.js";

/** Where a container's lookups go: its nameservers, or the embedded DNS's upstreams, in words too. */
export interface LookupServers {
  /** The addresses compared with `nameservers:`; undefined when the engine forwards to the host's resolvers. */
  servers: string[] | undefined;
  text: string;
}

/**
 * The servers a container's lookups go to. /etc/resolv.conf's nameservers, except Docker's embedded DNS
 * (127.0.0.11, on a user-defined network): it forwards what it cannot answer to the servers the container was
 * given (--dns: HostConfig.Dns, which engines 25+ also write in the file as `# ExtServers:`), or to the host's.
 */
export function lookupServers(config: ResolverConfig, configured: readonly string[] | undefined): LookupServers {
  const { nameservers } = config;
  if (nameservers.length !== 1 || nameservers[0] !== EMBEDDED_DNS)
    return { servers: nameservers, text: nameservers.join(" ") || "none" };
  const upstreams = configured?.length ? [...configured] : config.extServers;
  if (upstreams === undefined || upstreams.length === 0)
    return { servers: undefined, text: `the host's resolvers (no --dns), via the embedded DNS ${EMBEDDED_DNS}` };
  return { servers: upstreams, text: `${upstreams.join(" ")} via the embedded DNS ${EMBEDDED_DNS}` };
}

function sameList(expected: readonly string[], observed: readonly string[]): boolean {
  return expected.length === observed.length && expected.every((value, index) => value === observed[index]);
}

function sameAddresses(expected: readonly string[], observed: readonly string[]): boolean {
  return sameList(expected.map(canonicalAddress), observed.map(canonicalAddress));
}

/** What was read, against what was written: each difference in words, with the docker run option that sets it. */
export function resolverMisses(
  expectation: ResolverExpectation,
  config: ResolverConfig,
  hostsText: string,
  configured: readonly string[] | undefined,
): { misses: string[]; fixes: string[]; observed: string } {
  const misses: string[] = [];
  const fixes: string[] = [];
  const servers = lookupServers(config, configured);
  const shown = (values: string[]) => values.join(" ") || "none";
  const observed = [
    `nameservers ${servers.text}`,
    `search ${shown(config.search)}`,
    `options ${shown(config.options)}`,
  ];
  if (expectation.nameservers && !(servers.servers && sameAddresses(expectation.nameservers, servers.servers))) {
    misses.push(`nameservers ${servers.text}, not ${shown(expectation.nameservers)}`);
    fixes.push(`--dns ${expectation.nameservers[0] ?? "ADDRESS"}`);
  }
  if (expectation.search && !sameList(expectation.search, config.search)) {
    misses.push(`search ${shown(config.search)}, not ${shown(expectation.search)}`);
    fixes.push(`--dns-search ${expectation.search[0] ?? "DOMAIN"}`);
  }
  if (expectation.options && !sameList(expectation.options, config.options)) {
    misses.push(`options ${shown(config.options)}, not ${shown(expectation.options)}`);
    fixes.push(`--dns-option ${expectation.options[0] ?? "OPTION"}`);
  }
  const entries = parseHostsFile(hostsText);
  for (const [name, addresses] of Object.entries(expectation.hosts ?? {})) {
    const listed = hostsAddresses(entries, name).map(canonicalAddress);
    const missing = addresses.filter((address) => !listed.includes(canonicalAddress(address)));
    observed.push(`hosts ${name} ${listed.join(" ") || "absent"}`);
    if (missing.length > 0) {
      misses.push(`/etc/hosts gives ${name} ${listed.join(", ") || "nothing"}, not ${missing.join(", ")}`);
      fixes.push(`--add-host ${name}:${missing[0]}`);
    }
  }
  return { misses, fixes, observed: observed.join(", ") };
}

function judge(
  expectation: ResolverExpectation,
  _plan: ProbePlan,
  results: ProbeResult[],
  _view: SiteView,
  context: PlanContext,
): ProbeJudgement {
  const [result] = results;
  if (!result || result.outcome !== "resolved" || result.reply === undefined)
    return { held: false, outcome: "failed", detail: result?.detail ?? "no result from reading the resolver files" };
  const { resolvConf, hosts } = splitResolverFiles(result.reply);
  const target: Target | undefined = context.targets.get(expectation.container);
  const { misses, fixes, observed } = resolverMisses(expectation, parseResolvConf(resolvConf), hosts, target?.dns);
  if (misses.length === 0) return { held: true, detail: observed };
  return {
    held: false,
    detail: misses.join("; "),
    hint: `a container's resolver is set when it is created (docker run ${fixes.join(" ")} …; compose: dns, dns_search, dns_opt, extra_hosts): re-create ${expectation.container} with it`,
  };
}

/** A container's resolver configuration, read from inside it (/etc/resolv.conf, /etc/hosts). */
export const resolver: ExpectationKind<ResolverExpectation> = {
  kind: "resolver",
  names: (expectation) => ({ containers: [expectation.container], networks: [], namespaces: [] }),
  running: (expectation) => [expectation.container],
  sidecars: (expectation) => [expectation.container],
  decide: {
    by: "probes",
    from: (expectation) => ({ kind: "name", name: expectation.container }),
    plan: (expectation) => ({
      site: { kind: "container", name: expectation.container },
      probes: [{ item: { kind: "resolver-files" }, shared: false }],
    }),
    judge,
  },
  route: (expectation) => ({ from: expectation.container, to: "resolver" }),
  expected: (expectation) => resolverWords(expectation),
  observed: ({ observed }) => observed.detail,
  asserted: (): Outcome[] => ["resolved"],
  ends: (expectation) => ({ from: expectation.container }),
};
