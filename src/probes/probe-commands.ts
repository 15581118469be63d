import ipaddr from "ipaddr.js";
import type { ExecOutput, ProbeResult } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import { classifyConnect, classifyDatagram, classifyLookup } from "./classify.js";
import { lookupArgv, lookupResult, RESOLVER_FILES_ARGV, resolverFilesResult } from "./lookup.js";
import { HTTP_PATH } from "../core/check-file/http-target.js";
import { classifyHttp, httpArgv, type HttpRequest } from "./http-probe.js";
import { classifyPing, pingArgv } from "./icmp-probe.js";

export class ProbeInputError extends Error {
  override name = "ProbeInputError";
}

export function assertAddress(address: string): void {
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address))
    throw new ProbeInputError(`"${address}" is not an IPv4 address, nor an IPv6 one`);
}

export function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ProbeInputError(`"${port}" is not a TCP port`);
}

// Docker names carry underscores (compose's `shop_data`); nothing else a shell would read reaches nslookup.
const NAME = /^[A-Za-z0-9_.-]+$/;

export function assertName(name: string): void {
  if (!NAME.test(name)) throw new ProbeInputError(`"${name}" is not a DNS name`);
}

/**
 * One probe: a TCP connect, or a name looked up (at `server`, or with the site's own resolver). A connect
 * keeps what the server says when `greeting` is set, and writes `send` first when given (then it reads too).
 */
export type ProbeItem =
  | { kind: "tcp"; address: string; port: number; greeting?: boolean; send?: string }
  | { kind: "dns"; name: string; server?: string }
  | DatagramItem
  | LookupItem
  | ResolverFilesItem
  | PingItem
  | HttpItem;

/** One ICMP echo request to an IPv4 or IPv6 address (see icmp-probe.ts). */
export interface PingItem {
  kind: "icmp";
  address: string;
}

/** One HTTP GET of `path` at an address and port, with its Host header (see http-probe.ts). */
export interface HttpItem extends HttpRequest {
  kind: "http";
}

/** A name looked up as the site's programs do: /etc/hosts first, then DNS through its resolv.conf (see lookup.ts). */
export interface LookupItem {
  kind: "lookup";
  name: string;
}

/** The site's resolver configuration: its /etc/resolv.conf and /etc/hosts (see lookup.ts). */
export interface ResolverFilesItem {
  kind: "resolver-files";
}

/**
 * A UDP datagram sent and a reply awaited. busybox's nc has no -u: its one UDP client that reads a reply is
 * nslookup, pointed at ADDRESS:PORT, so the datagram is a DNS query for a name under .invalid (which a
 * resolver answers itself, RFC 6761). A DNS server's answer or an echo of the query counts as a reply; other
 * bytes nslookup ignores, as if unanswered. Its socket is connected, so ICMP port unreachable reads as refused.
 */
export interface DatagramItem {
  kind: "udp";
  address: string;
  port: number;
}

/** The name the UDP probe's query asks for: no resolver forwards a .invalid name. */
export const DATAGRAM_QUERY = "udp-probe.netlab.invalid";

/** busybox `timeout` and `nc -w` count whole seconds: a deadline rounds up, to at least one. */
function seconds(timeoutMs: number): string {
  return String(Math.max(1, Math.ceil(timeoutMs / 1000)));
}

function reads(item: Extract<ProbeItem, { kind: "tcp" }>): boolean {
  return item.greeting === true || item.send !== undefined;
}

/**
 * The busybox command of one probe, the one place it is built. A connect is bounded twice: `nc -w` ends a
 * connect that gets no answer and says "timed out", `timeout` also bounds the reading. A connect that reads
 * nothing runs `-e true`, so it ends once connected instead of waiting for the server to close.
 */
export function probeArgv(item: ProbeItem, timeoutMs: number): string[] {
  const bound = seconds(timeoutMs);
  if (item.kind === "lookup") {
    assertName(item.name);
    return lookupArgv(item.name, bound);
  }
  if (item.kind === "resolver-files") return RESOLVER_FILES_ARGV;
  if (item.kind === "icmp") {
    assertAddress(item.address);
    return pingArgv(item.address, bound);
  }
  if (item.kind === "http") {
    assertAddress(item.address);
    assertPort(item.port);
    if (!HTTP_PATH.test(item.path)) throw new ProbeInputError(`"${item.path}" is not a path netlab sends`);
    if (!/^[A-Za-z0-9_.:[\]-]+$/.test(item.host)) throw new ProbeInputError(`"${item.host}" is not a Host header`);
    return httpArgv(item, bound);
  }
  if (item.kind === "dns") {
    assertName(item.name);
    if (item.server !== undefined) assertAddress(item.server);
    return ["timeout", bound, "nslookup", item.name, ...(item.server ? [item.server] : [])];
  }
  assertAddress(item.address);
  assertPort(item.port);
  // No -type: its two queries (A, AAAA) share a connected socket, so a refusal of the first fails the second's
  // write and nslookup ends at once (measured 0.09 s) instead of retrying until the deadline (-type=a: 3 s).
  if (item.kind === "udp") return ["timeout", bound, "nslookup", DATAGRAM_QUERY, endpointText(item)];
  const connect = ["timeout", bound, "nc", "-w", bound, item.address, String(item.port)];
  if (item.send !== undefined)
    return ["sh", "-c", `printf '%b' '${item.send.replaceAll("'", "")}' | ${connect.join(" ")}`];
  return reads(item) ? connect : [...connect, "-e", "true"];
}

/** How a probe ran: its deadline, how long it took, and whether its output went through a batch script. */
export interface ProbeRun {
  timeoutMs: number;
  durationMs: number;
  /** A batch script joins stdout and stderr on one line; a probe run on its own keeps them apart, and the reply's lines. */
  flattened: boolean;
}

/** A probe's output read into its typed result, with the command a user pastes to see it again. */
export function probeResult(site: ProbeSite, item: ProbeItem, output: ExecOutput, run: ProbeRun): ProbeResult {
  const { durationMs, flattened } = run;
  const command = site.describe(probeArgv(item, run.timeoutMs));
  if (item.kind === "lookup") {
    const read = flattened ? { exitCode: output.exitCode, stdout: unflatten(output.stdout), stderr: "" } : output;
    return lookupResult(item.name, read, { from: site.name, durationMs, command });
  }
  if (item.kind === "resolver-files") return resolverFilesResult(output, { from: site.name, durationMs, command });
  // ICMP and HTTP results carry probe "tcp" until ProbeResult's probe names them (core/outcome.ts, facts-schema.ts).
  if (item.kind === "icmp")
    return { probe: "icmp", from: site.name, target: item.address, ...classifyPing(output), durationMs, command };
  if (item.kind === "http") {
    // address:port as a connect's, so reports place it; the path is in the command.
    const target = `${item.address.includes(":") ? `[${item.address}]` : item.address}:${item.port}`;
    return { probe: "tcp", from: site.name, target, ...classifyHttp(output), durationMs, command };
  }
  if (item.kind === "dns") {
    const read = flattened ? { exitCode: output.exitCode, stdout: unflatten(output.stdout), stderr: "" } : output;
    const { outcome, detail, addresses } = classifyLookup(read);
    const target = item.server ? `${item.name}@${item.server}` : item.name;
    return { probe: "dns", from: site.name, target, outcome, detail, addresses, durationMs, command };
  }
  if (item.kind === "udp") {
    const { outcome, detail } = classifyDatagram(output);
    return { probe: "udp", from: site.name, target: `${endpointText(item)}/udp`, outcome, detail, durationMs, command };
  }
  const target = endpointText(item);
  if (flattened) {
    // A batch's words are the connect's own messages; they are a reply only when the probe reads one.
    const { outcome, detail } = classifyConnect({ ...output, stdout: "" });
    const reply = reads(item) && outcome === "connected" ? output.stdout.trim() : "";
    return {
      probe: "tcp",
      from: site.name,
      target,
      outcome,
      detail: outcome === "connected" ? "connected" : detail,
      ...(reply ? { reply } : {}),
      durationMs,
      command,
    };
  }
  const { outcome, detail } = classifyConnect(output);
  return {
    probe: "tcp",
    from: site.name,
    target,
    outcome,
    detail: outcome === "connected" ? output.stdout.trim().split("\n")[0] || "connected, no reply" : detail,
    ...(output.stdout ? { reply: output.stdout.slice(0, 2048) } : {}),
    durationMs,
    command,
  };
}

/** `ADDRESS:PORT`, an IPv6 address in brackets (as nc's messages and nslookup's server argument take it). */
function endpointText(item: { address: string; port: number }): string {
  return `${item.address.includes(":") ? `[${item.address}]` : item.address}:${item.port}`;
}

/** nslookup prints its answer on several lines; flattened, "Name: x Address: y" keeps what classifyLookup reads. */
function unflatten(text: string): string {
  return text.replace(/\s+(Name:|Address(?: \d+)?:|Server:|\*\*)/g, "\n$1");
}
