import { formatEndpoint, namespaceText, type Endpoint, type IpFamily, type Target } from "./endpoint.js";
import type { ReachExpected } from "./holds.js";
import type { PublishedPort } from "./published-port.js";
import type { Position } from "./spec-error.js";
import type { z } from "zod";
import {
  entryKind,
  type AddressIn,
  type EntryKind,
  type entrySchemas,
  type InterfacesOf,
  type MatrixEntry,
  type SeenAs,
  type SpecEntry,
  type TableSite,
} from "./spec-schema.js";
import type { Spec } from "./spec.js";
import { formatPingTarget, type PingTarget } from "./ping-target.js";
import { formatHttpTarget, type HttpTarget } from "./http-target.js";
import type { ResolveItem } from "./resolve-item.js";

export { holds, type ReachExpected } from "./holds.js";
export type { Endpoint, Target } from "./endpoint.js";
export type { PublishedPort } from "./published-port.js";

interface Common {
  /** Unique in its spec: as written, or generated from what is expected, e.g. `web → db:5432 reachable`. */
  id: string;
  name?: string;
  /** How long it may take to become true; 0 means decided by the first probe. */
  withinMs: number;
  /** The expectation (or the matrix cell) in the spec, for failure reports. */
  source: Position;
}

/** Does `from` reach `to`? `expected` is reach yes/no, or one exact outcome. Matrix cells carry where they sit. */
export interface ReachExpectation extends Common {
  kind: "reach";
  from: Endpoint;
  to: Target;
  expected: ReachExpected;
  /** With `to: outside`: whose address the outside must see the connection come from (the host's: NAT; or the source's own). */
  seenAs?: SeenAs;
  /** `ip: 6`: NAME targets are dialled at their IPv6 addresses, host:PORT at ::1 from the host. Absent: IPv4. */
  ip?: IpFamily;
  /** `row`/`col` index `rows` (its from) and `cols` (its to), 0-based; `id` is the matrix's (given, or `matrix-N`). */
  matrix?: { id: string; row: number; col: number; rows: string[]; cols: string[] };
}

/** Does `lookup` resolve from inside `from` (to an address of that container, which the runtime checks)? */
export interface ResolveExpectation extends Common {
  kind: "resolve";
  from: Endpoint;
  lookup: string;
  expected: ResolveExpected;
}

/**
 * Whether the name resolves, and to what: `addresses` the exact set (every item answered, nothing else),
 * `includes` at least these, `count` how many distinct addresses. Any of the three implies `resolves`.
 */
export interface ResolveExpected {
  resolves: boolean;
  addresses?: ResolveItem[];
  includes?: ResolveItem[];
  count?: number;
}

/** The exact set of ports `container` publishes on the host. */
export interface PublishesExpectation extends Common {
  kind: "publishes";
  container: string;
  ports: PublishedPort[];
}

/** A container's network mode (`bridge`, `none`, `host`, `container:NAME`) and/or the exact set of networks it is on. */
export interface NetworkExpectation extends Common {
  kind: "network";
  container: string;
  mode?: string;
  attached?: string[];
}

/** A Docker network exists with this driver and these options. */
export interface DockerNetworkExpectation extends Common {
  kind: "docker-network";
  network: string;
  driver?: string;
  internal?: boolean;
  attachable?: boolean;
  parent?: string;
  /** A subnet and a gateway of its IPAM config (IPv4 or IPv6). */
  subnet?: string;
  gateway?: string;
  ipv6?: boolean;
  /** Driver options, exact values for these keys. */
  options?: Record<string, string>;
}

/** Each container has an address in a network's subnet (or a CIDR); `ordered`: ascending in the order listed. */
export interface AddressExpectation extends Common {
  kind: "address";
  containers: string[];
  in: AddressIn;
  ordered: boolean;
  /** On the network `in` (one container): its exact address, its MAC, aliases it has (at least these). */
  ip?: string;
  mac?: string;
  aliases?: string[];
}

/** The interfaces inside a container or named namespace (`only`), or the host bridge its veth's peer is enslaved to (`vethOn`). */
export interface InterfacesExpectation extends Common {
  kind: "interfaces";
  of: InterfacesOf;
  only?: string[];
  vethOn?: string;
  /** Of the host (`interfaces: host`): interfaces it has, up ones, not-up ones, and addresses (CIDRs) they have. */
  has?: string[];
  up?: string[];
  down?: string[];
  addresses?: Record<string, string[]>;
}

/** A container's state, running or not, and text its logs contain. */
export interface ContainerExpectation extends Common {
  kind: "container";
  container: string;
  state: "running" | "exited";
  logsContain?: string;
  /** Its id starts with this (12+ hex digits): the same container, not re-created. */
  containerId?: string;
  /** Networks it was connected to while it ran (a `network connect` event after it started). */
  joinedRunning?: string[];
}

/** The engine's answer to `docker run`/`docker create` argv (created, never started, removed at once): a warning or a refusal. */
export interface CommandExpectation extends Common {
  kind: "command";
  command: string;
  answer: { warns: string } | { refused: string };
}

/** A bridge FDB entry on `dev` in namespace `namespace`: `mac` (tunnelled to `dst`). */
export interface FdbExpectation extends Common {
  kind: "fdb";
  namespace: string;
  dev: string;
  mac: string;
  dst?: string;
}

/** A neighbour entry in namespace `namespace`: `address` resolves to `lladdr` (on `dev`, permanent). */
export interface NeighbourExpectation extends Common {
  kind: "neighbour";
  namespace: string;
  address: string;
  lladdr: string;
  dev?: string;
  permanent?: boolean;
}

/** A route to `destination` (as ip route prints it, or `default`) in namespace `namespace`'s main table (via, dev, onlink); no namespace: the host's. */
export interface RouteExpectation extends Common {
  kind: "route";
  namespace?: string;
  destination: string;
  via?: string;
  dev?: string;
  onlink?: boolean;
}

/** An OpenFlow flow on `bridge` of the switch whose run directory is `switchDir`: its match has every field of `match`. */
export interface FlowsExpectation extends Common {
  kind: "flows";
  bridge: string;
  switchDir?: string;
  match: string;
  actions?: string;
  hit?: boolean;
}

/** A rule of `chain` in `table` of namespace `namespace`'s iptables that has the words of `rule`, in order; no namespace: the host's. */
export interface IptablesExpectation extends Common {
  kind: "iptables";
  namespace?: string;
  table: "filter" | "nat" | "mangle" | "raw";
  chain: string;
  rule: string;
}

/** Expectations decided from what the engine and the host report, not from traffic. */
export type StateExpectation =
  | NetworkExpectation
  | DockerNetworkExpectation
  | AddressExpectation
  | InterfacesExpectation
  | ContainerExpectation
  | FdbExpectation
  | NeighbourExpectation
  | RouteExpectation
  | FlowsExpectation
  | IptablesExpectation
  | CommandExpectation;

/** Does `from` get an ICMP echo reply from `to` (a container's addresses, the host's, or one address)? */
export interface PingExpectation extends Common {
  kind: "ping";
  from: Endpoint;
  /** Not `to`: what reads a reach's `to` (stack specs, swarm hints) expects a port. */
  target: PingTarget;
  /** The address family a name or `host` is pinged at; an address says its own. */
  ip: IpFamily;
  expected: { reach: boolean };
}

/** What one HTTP GET of `path` at `to` answers from `from`: an exact status, and/or text its body contains. */
export interface HttpExpectation extends Common {
  kind: "http";
  from: Endpoint;
  to: HttpTarget["to"];
  path: string;
  /** 200 when the spec gives neither status nor body. */
  status?: number;
  body?: string;
  /** The address family a name or `host` is dialled at (`ip: 6`); an address says its own. */
  ip?: IpFamily;
}

export type Expectation =
  | ReachExpectation
  | ResolveExpectation
  | ResolverExpectation
  | PublishesExpectation
  | StateExpectation
  | PingExpectation
  | HttpExpectation;

/**
 * A container's resolver configuration, read from inside it: the exact nameservers its lookups go to (with the
 * embedded DNS, where it forwards), search list and options, and names /etc/hosts gives these addresses.
 */
export interface ResolverExpectation extends Common {
  kind: "resolver";
  container: string;
  nameservers?: string[];
  search?: string[];
  options?: string[];
  hosts?: Record<string, string[]>;
}

/** What a resolver expectation asks, in words: `nameservers 10.0.0.53, search corp.example, hosts db.local 10.9.9.9`. */
export function resolverWords(
  expected: Pick<ResolverExpectation, "nameservers" | "search" | "options" | "hosts">,
): string {
  const listed = (values: string[]) => (values.length === 0 ? "none" : values.join(" "));
  return [
    expected.nameservers === undefined ? "" : `nameservers ${listed(expected.nameservers)}`,
    expected.search === undefined ? "" : `search ${listed(expected.search)}`,
    expected.options === undefined ? "" : `options ${listed(expected.options)}`,
    expected.hosts === undefined
      ? ""
      : `hosts ${Object.entries(expected.hosts)
          .map(([name, addresses]) => `${name} ${addresses.join(" ")}`)
          .join(", ")}`,
  ]
    .filter(Boolean)
    .join(", ");
}

/** What an http expectation asks, in words: `HTTP 200, body contains "ok"` (status 200 when neither is given). */
export function httpWanted(status: number | undefined, body: string | undefined): string {
  const code = status ?? (body === undefined ? 200 : undefined);
  return [code === undefined ? "" : `HTTP ${code}`, body === undefined ? "" : `body contains ${JSON.stringify(body)}`]
    .filter(Boolean)
    .join(", ");
}

/** reach yes/no as the spec's version means it: in version 1 a refusal also counts as "no". */
function reachExpected(reach: boolean, spec: Spec): ReachExpected {
  return reach || spec.version !== 1 ? { reach } : { reach, refusedHolds: true };
}

/** What a resolve says the name resolves to, in words after the name: ` to api-1, api-2`, ` to 2 addresses, at least api-1`. */
export function resolveAnswerWords(expected: ResolveExpected): string {
  const listed = (items: ResolveItem[]) => items.map((item) => item.text).join(", ");
  const words = [
    expected.addresses === undefined ? "" : listed(expected.addresses),
    expected.count === undefined ? "" : `${expected.count} address${expected.count === 1 ? "" : "es"}`,
    expected.includes === undefined ? "" : `at least ${listed(expected.includes)}`,
  ].filter(Boolean);
  return words.length === 0 ? "" : ` to ${words.join(", ")}`;
}

function reachWords(expected: ReachExpected): string {
  if ("outcome" in expected) return expected.outcome;
  return expected.reach ? "reachable" : "not reachable";
}

function reachId(from: Endpoint, to: Target, expected: ReachExpected, seenAs?: SeenAs, ip?: IpFamily): string {
  const seen = seenAs === undefined ? "" : seenAs === "host" ? ", seen as the host" : ", seen as itself";
  const family = ip === 6 ? " over IPv6" : "";
  return `${formatEndpoint(from)} → ${formatEndpoint(to)}${family} ${reachWords(expected)}${seen}`;
}

/** What a docker-network expectation asks of its network, in words: `is an overlay network, attachable`. */
export function dockerNetworkWords(
  expected: Pick<
    DockerNetworkExpectation,
    "driver" | "internal" | "attachable" | "parent" | "subnet" | "gateway" | "ipv6" | "options"
  >,
): string {
  const { driver, internal, attachable, parent, subnet, gateway, ipv6, options } = expected;
  const words = [
    driver === undefined ? "a network" : `${/^[aeiou]/.test(driver) ? "an" : "a"} ${driver} network`,
    internal === undefined ? "" : internal ? "internal" : "not internal",
    attachable === undefined ? "" : attachable ? "attachable" : "not attachable",
    parent === undefined ? "" : `on ${parent}`,
    subnet === undefined ? "" : `subnet ${subnet}`,
    gateway === undefined ? "" : `gateway ${gateway}`,
    ipv6 === undefined ? "" : ipv6 ? "IPv6" : "no IPv6",
    ...Object.entries(options ?? {}).map(([key, value]) => `${key}=${value}`),
  ].filter(Boolean);
  return `is ${words.join(", ")}`;
}

/** How a spec writes where a table is read: `host` (no namespace) or `netns:NAME`. */
export function tableSiteText(namespace: string | undefined): string {
  return namespace === undefined ? "host" : namespaceText(namespace);
}

function namespaceOf(site: TableSite): string | undefined {
  return site.kind === "netns" ? site.name : undefined;
}

/** Every expectation with where its id was written (or generated), so a duplicate can be pointed at. */
export interface Expanded {
  expectation: Expectation;
  idAt: Position;
}

/** A written entry of one shape, values parsed. */
type EntryOf<K extends EntryKind> = z.output<(typeof entrySchemas)[K]>;

/** What expanding one entry needs besides the entry: its labels, where its id was written, the spec. */
interface EntryContext {
  label(
    written: { id?: string | undefined; name?: string | undefined; within?: number | undefined },
    generated: string,
  ): Common;
  idAt(written: { id?: string | undefined }): Position;
  path: (string | number)[];
  spec: Spec;
  /** 1 for the spec's first matrix, 2 for the next, …: names a matrix written without an id. */
  matrixOrdinal(): number;
}

/** One shape's expansion: a written entry into the expectations it stands for, each with its generated id. */
const EXPANDERS: { [K in EntryKind]: (entry: EntryOf<K>, at: EntryContext) => Expanded[] } = {
  matrix: (entry, at) => {
    const { matrix, id, name, within } = entry;
    const merged = { ...matrix, id: matrix.id ?? id, name: matrix.name ?? name, within: matrix.within ?? within };
    return matrixCells(merged, at.path, at.matrixOrdinal(), at.spec);
  },
  publishes: (entry, at) => {
    const { publishes, ports } = entry;
    const listed = ports.length === 0 ? "nothing" : ports.map((port) => port.text).join(", ");
    return [
      {
        expectation: {
          kind: "publishes",
          ...at.label(entry, `${publishes} publishes ${listed}`),
          container: publishes,
          ports,
        },
        idAt: at.idAt(entry),
      },
    ];
  },
  "docker-network": (entry, at) => {
    const { driver, internal, attachable, parent, subnet, gateway, ipv6, options } = entry;
    const generated = `${entry["docker-network"]} ${dockerNetworkWords(entry)}`;
    const expectation: DockerNetworkExpectation = {
      kind: "docker-network",
      ...at.label(entry, generated),
      network: entry["docker-network"],
      ...(driver === undefined ? {} : { driver }),
      ...(internal === undefined ? {} : { internal }),
      ...(attachable === undefined ? {} : { attachable }),
      ...(parent === undefined ? {} : { parent }),
      ...(subnet === undefined ? {} : { subnet }),
      ...(gateway === undefined ? {} : { gateway }),
      ...(ipv6 === undefined ? {} : { ipv6 }),
      ...(options === undefined ? {} : { options }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  network: (entry, at) => {
    const { network, mode, attached } = entry;
    const words = [
      mode === undefined ? "" : `mode ${mode}`,
      attached === undefined ? "" : `attached to ${attached.length ? attached.join(", ") : "nothing"}`,
    ].filter(Boolean);
    const expectation: NetworkExpectation = {
      kind: "network",
      ...at.label(entry, `${network} ${words.join(", ")}`),
      container: network,
      ...(mode === undefined ? {} : { mode }),
      ...(attached === undefined ? {} : { attached }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  address: (entry, at) => {
    const { address, ordered, ip, mac, aliases } = entry;
    const where = entry.in.kind === "network" ? entry.in.name : entry.in.cidr;
    const exact = [ip, mac, aliases === undefined ? undefined : `aliases ${aliases.join(", ")}`].filter(Boolean);
    const generated =
      exact.length > 0
        ? `${address.join(", ")} has ${exact.join(", ")} in ${where}`
        : `${address.join(", ")} ${address.length > 1 ? "have addresses" : "has an address"} in ${where}${ordered ? ", in order" : ""}`;
    return [
      {
        expectation: {
          kind: "address",
          ...at.label(entry, generated),
          containers: address,
          in: entry.in,
          ordered: ordered === true,
          ...(ip === undefined ? {} : { ip }),
          ...(mac === undefined ? {} : { mac }),
          ...(aliases === undefined ? {} : { aliases }),
        },
        idAt: at.idAt(entry),
      },
    ];
  },
  interfaces: (entry, at) => {
    const { interfaces, only, has, up, down, addresses } = entry;
    const vethOn = entry["veth-on"];
    const words = [
      only === undefined ? "" : `has only ${only.join(", ")}`,
      vethOn === undefined ? "" : `has its veth on ${vethOn}`,
      has === undefined ? "" : `has ${has.join(", ")}`,
      up === undefined ? "" : `${up.join(", ")} up`,
      down === undefined ? "" : `${down.join(", ")} down`,
      ...Object.entries(addresses ?? {}).map(([name, cidrs]) => `${name} has ${cidrs.join(", ")}`),
    ].filter(Boolean);
    const subject =
      interfaces.kind === "host"
        ? "host"
        : interfaces.kind === "netns"
          ? namespaceText(interfaces.name)
          : interfaces.name;
    const expectation: InterfacesExpectation = {
      kind: "interfaces",
      ...at.label(entry, `${subject} ${words.join(", ")}`),
      of: interfaces,
      ...(only === undefined ? {} : { only }),
      ...(vethOn === undefined ? {} : { vethOn }),
      ...(has === undefined ? {} : { has }),
      ...(up === undefined ? {} : { up }),
      ...(down === undefined ? {} : { down }),
      ...(addresses === undefined ? {} : { addresses }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  container: (entry, at) => {
    const { container, state } = entry;
    const logsContain = entry["logs-contain"];
    const containerId = entry["container-id"];
    const joinedRunning = entry["joined-running"];
    const generated = [
      `${container} ${state}`,
      logsContain === undefined ? "" : `logs contain "${logsContain}"`,
      containerId === undefined ? "" : `id ${containerId}`,
      joinedRunning === undefined ? "" : `joined ${joinedRunning.join(", ")} while running`,
    ]
      .filter(Boolean)
      .join(", ");
    const expectation: ContainerExpectation = {
      kind: "container",
      ...at.label(entry, generated),
      container,
      state,
      ...(logsContain === undefined ? {} : { logsContain }),
      ...(containerId === undefined ? {} : { containerId }),
      ...(joinedRunning === undefined ? {} : { joinedRunning }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  fdb: (entry, at) => {
    const { fdb, dev, mac, dst } = entry;
    const generated = `${namespaceText(fdb)} fdb ${mac} dev ${dev}${dst === undefined ? "" : ` dst ${dst}`}`;
    const expectation: FdbExpectation = {
      kind: "fdb",
      ...at.label(entry, generated),
      namespace: fdb,
      dev,
      mac,
      ...(dst === undefined ? {} : { dst }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  neighbour: (entry, at) => {
    const { neighbour, address, lladdr, dev, permanent } = entry;
    const words = [
      dev === undefined ? "" : `dev ${dev}`,
      permanent === undefined ? "" : permanent ? "permanent" : "not permanent",
    ];
    const generated = [`${namespaceText(neighbour)} neigh ${address} lladdr ${lladdr}`, ...words]
      .filter(Boolean)
      .join(" ");
    const expectation: NeighbourExpectation = {
      kind: "neighbour",
      ...at.label(entry, generated),
      namespace: neighbour,
      address,
      lladdr,
      ...(dev === undefined ? {} : { dev }),
      ...(permanent === undefined ? {} : { permanent }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  route: (entry, at) => {
    const { route, to, via, dev, onlink } = entry;
    const words = [
      via === undefined ? "" : `via ${via}`,
      dev === undefined ? "" : `dev ${dev}`,
      onlink === undefined ? "" : onlink ? "onlink" : "not onlink",
    ];
    const generated = [`${tableSiteText(namespaceOf(route))} route ${to}`, ...words].filter(Boolean).join(" ");
    const expectation: RouteExpectation = {
      kind: "route",
      ...at.label(entry, generated),
      ...(route.kind === "netns" ? { namespace: route.name } : {}),
      destination: to,
      ...(via === undefined ? {} : { via }),
      ...(dev === undefined ? {} : { dev }),
      ...(onlink === undefined ? {} : { onlink }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  flows: (entry, at) => {
    const { flows, match, actions, hit } = entry;
    const switchDir = entry.switch;
    const words = [
      actions === undefined ? "" : `actions=${actions}`,
      hit === undefined ? "" : hit ? "(hit)" : "(not hit)",
    ];
    const generated = [`${flows} has a flow ${match}`, ...words].filter(Boolean).join(" ");
    const expectation: FlowsExpectation = {
      kind: "flows",
      ...at.label(entry, generated),
      bridge: flows,
      match,
      ...(switchDir === undefined ? {} : { switchDir }),
      ...(actions === undefined ? {} : { actions }),
      ...(hit === undefined ? {} : { hit }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  iptables: (entry, at) => {
    const { iptables, table, chain, rule } = entry;
    const expectation: IptablesExpectation = {
      kind: "iptables",
      ...at.label(entry, `${tableSiteText(namespaceOf(iptables))} iptables -t ${table} ${chain} has ${rule}`),
      ...(iptables.kind === "netns" ? { namespace: iptables.name } : {}),
      table,
      chain,
      rule,
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  command: (entry, at) => {
    const { command, warns, refused } = entry;
    const answer = warns !== undefined ? { warns } : { refused: refused! };
    const generated = `${command} ${"warns" in answer ? `warns "${answer.warns}"` : `refused "${answer.refused}"`}`;
    const expectation: CommandExpectation = { kind: "command", ...at.label(entry, generated), command, answer };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  resolver: (entry, at) => {
    const { resolver, nameservers, search, options, hosts } = entry;
    const expectation: ResolverExpectation = {
      kind: "resolver",
      ...at.label(entry, `${resolver} resolver ${resolverWords(entry)}`),
      container: resolver,
      ...(nameservers === undefined ? {} : { nameservers }),
      ...(search === undefined ? {} : { search }),
      ...(options === undefined ? {} : { options }),
      ...(hosts === undefined ? {} : { hosts }),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  resolve: (entry, at) => {
    const { from, resolve, reach, addresses, includes, count } = entry;
    // The schema refuses `reach: no` beside what it resolves to, so any of those means it resolves.
    const expected: ResolveExpected = {
      resolves: reach !== false,
      ...(addresses === undefined ? {} : { addresses }),
      ...(includes === undefined ? {} : { includes }),
      ...(count === undefined ? {} : { count }),
    };
    const generated = `${formatEndpoint(from)} ${expected.resolves ? "resolves" : "does not resolve"} ${resolve}${resolveAnswerWords(expected)}`;
    return [
      {
        expectation: { kind: "resolve", ...at.label(entry, generated), from, lookup: resolve, expected },
        idAt: at.idAt(entry),
      },
    ];
  },
  ping: (entry, at) => {
    const { from, ping, reach, ip } = entry;
    const over = ip === 6 ? " over IPv6" : "";
    const generated = `${formatEndpoint(from)} gets ${reach ? "a" : "no"} ping reply from ${formatPingTarget(ping)}${over}`;
    const expectation: PingExpectation = {
      kind: "ping",
      ...at.label(entry, generated),
      from,
      target: ping,
      ip: ip ?? 4,
      // The schema refuses a ping without reach.
      expected: { reach: reach === true },
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  http: (entry, at) => {
    const { from, http, status, body, ip } = entry;
    const over = ip === 6 ? " over IPv6" : "";
    const expectation: HttpExpectation = {
      kind: "http",
      ...at.label(entry, `${formatEndpoint(from)} → GET ${formatHttpTarget(http)}${over}: ${httpWanted(status, body)}`),
      from,
      to: http.to,
      path: http.path,
      ...(status === undefined && body === undefined ? { status: 200 } : {}),
      ...(status === undefined ? {} : { status }),
      ...(body === undefined ? {} : { body }),
      ...(ip === 6 ? { ip } : {}),
    };
    return [{ expectation, idAt: at.idAt(entry) }];
  },
  reach: (entry, at) => {
    const { from, to, reach, outcome, ip } = entry;
    const seenAs = entry["seen-as"];
    // The schema guarantees exactly one of reach and outcome.
    const expected: ReachExpected = outcome === undefined ? reachExpected(reach === true, at.spec) : { outcome };
    return [
      {
        expectation: {
          kind: "reach",
          ...at.label(entry, reachId(from, to, expected, seenAs, ip)),
          from,
          to,
          expected,
          ...(seenAs === undefined ? {} : { seenAs }),
          ...(ip === undefined ? {} : { ip }),
        },
        idAt: at.idAt(entry),
      },
    ];
  },
};

function expandEntry<K extends EntryKind>(kind: K, entry: SpecEntry, at: EntryContext): Expanded[] {
  // entryKind told the shape from the entry's keys, and the schema parsed it as that shape.
  return EXPANDERS[kind](entry as EntryOf<K>, at);
}

/** Expands a spec into flat expectations, in spec order; matrix cells row by row, `.` cells skipped. */
export function expand(spec: Spec): Expanded[] {
  let matrices = 0;
  return spec.expect.flatMap((entry: SpecEntry, index): Expanded[] => {
    const path = ["expect", index];
    const source = spec.at(path);
    const at: EntryContext = {
      label: (written, generated) => ({
        id: written.id ?? generated,
        ...(written.name === undefined ? {} : { name: written.name }),
        withinMs: written.within ?? spec.defaultWithinMs,
        source,
      }),
      idAt: (written) => (written.id === undefined ? source : spec.at([...path, "id"])),
      path,
      spec,
      matrixOrdinal: () => ++matrices,
    };
    return expandEntry(entryKind(entry), entry, at);
  });
}

function matrixCells(
  matrix: MatrixEntry["matrix"],
  path: (string | number)[],
  ordinal: number,
  spec: Spec,
): Expanded[] {
  const matrixId = matrix.id ?? `matrix-${ordinal}`;
  const prefix = matrix.id === undefined ? "" : `${matrix.id}/`;
  const rows = matrix.from.map(formatEndpoint);
  const cols = matrix.to.map(formatEndpoint);
  return matrix.reach.flatMap((cells, row) =>
    cells.flatMap((cell, col): Expanded[] => {
      const from = matrix.from[row];
      const to = matrix.to[col];
      if (cell === null || from === undefined || to === undefined) return [];
      const expected = reachExpected(cell, spec);
      const source = spec.at([...path, "matrix", "reach", row, col]);
      const expectation: ReachExpectation = {
        kind: "reach",
        id: `${prefix}${reachId(from, to, expected, undefined, matrix.ip)}`,
        ...(matrix.name === undefined ? {} : { name: matrix.name }),
        withinMs: matrix.within ?? spec.defaultWithinMs,
        source,
        from,
        to,
        expected,
        ...(matrix.ip === undefined ? {} : { ip: matrix.ip }),
        matrix: { id: matrixId, row, col, rows, cols },
      };
      return [{ expectation, idAt: source }];
    }),
  );
}

/** The flat expectations of a spec, in spec order. */
export function expectationsOf(spec: Spec): Expectation[] {
  return expand(spec).map(({ expectation }) => expectation);
}
