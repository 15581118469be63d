import { contains } from "./cidr.js";

/** One `-A CHAIN …` line of `iptables -S`, in the fields a hint matches a connection against. */
export interface IptablesRule {
  /** The line as iptables printed it: what a hint quotes. */
  text: string;
  chain: string;
  /** Each match this rule makes, by option (`-s`, `-d`, `-i`, `-o`, `-p`, `--dport`), with its `!`. */
  matches: Map<string, { value: string; negated: boolean }>;
  /** `-j`: DROP, REJECT, ACCEPT, RETURN, DNAT, another chain. */
  target?: string;
  /** `--to-destination` of a DNAT. */
  toDestination?: string;
}

/** One connection as a hint knows it: the addresses, the bridges it crosses, the TCP port. */
export interface Connection {
  source?: string;
  destination?: string;
  /** The interface it comes in on (the source's bridge). */
  in?: string;
  /** The interface it goes out on (the destination's bridge). */
  out?: string;
  port?: number;
}

const MATCHED = ["-s", "-d", "-i", "-o", "-p", "--dport"];

/** The words of a line, a quoted comment (`--comment "a b"`) kept as one. */
function words(line: string): string[] {
  return [...line.matchAll(/"(?:[^"\\]|\\.)*"|\S+/g)].map((match) => match[0]);
}

/** `-A DOCKER-USER -s 10.1.0.0/24 -j DROP` → its chain, matches and target; undefined for any other line (`-P`, `-N`). */
export function parseRule(line: string): IptablesRule | undefined {
  const all = words(line.trim());
  if (all[0] !== "-A" || !all[1]) return undefined;
  const rule: IptablesRule = { text: line.trim(), chain: all[1], matches: new Map() };
  let negated = false;
  for (let index = 2; index < all.length; index++) {
    const word = all[index]!;
    if (word === "!") {
      negated = true;
      continue;
    }
    const value = all[index + 1] ?? "";
    if (MATCHED.includes(word)) {
      rule.matches.set(word, { value, negated });
      index++;
    } else if (word === "-j") {
      rule.target = value;
      index++;
    } else if (word === "--to-destination") {
      rule.toDestination = value;
      index++;
    }
    negated = false;
  }
  return rule;
}

/** The `-A` rules of one table's `iptables -S` dump (or of one chain of it). */
export function rulesOf(dump: string | readonly string[], chain?: string): IptablesRule[] {
  const lines = typeof dump === "string" ? dump.split("\n") : dump;
  return lines.flatMap((line) => parseRule(line) ?? []).filter((rule) => chain === undefined || rule.chain === chain);
}

/** iptables' interface match: `br-+` matches every name starting `br-`. */
function sameInterface(pattern: string, name: string): boolean {
  return pattern.endsWith("+") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** Whether one match holds for the connection; undefined when the connection does not say (its address is not known). */
function holdsFor(option: string, value: string, connection: Connection): boolean | undefined {
  switch (option) {
    case "-s":
      return inCidr(value, connection.source);
    case "-d":
      return inCidr(value, connection.destination);
    case "-i":
      return connection.in === undefined ? undefined : sameInterface(value, connection.in);
    case "-o":
      return connection.out === undefined ? undefined : sameInterface(value, connection.out);
    case "-p":
      return value === "tcp" || value === "all";
    case "--dport":
      return connection.port === undefined ? undefined : portIn(value, connection.port);
    default:
      return undefined;
  }
}

/** An IPv4 address in `-s`/`-d`'s CIDR (a bare address is a /32); undefined when either is not IPv4. */
function inCidr(cidr: string, address: string | undefined): boolean | undefined {
  if (address === undefined) return undefined;
  try {
    return contains(cidr.includes("/") ? cidr : `${cidr}/32`, address);
  } catch {
    return undefined;
  }
}

/** `80` or `8000:8100`, as --dport takes it. */
function portIn(value: string, port: number): boolean {
  const [low, high = low] = value.split(":").map(Number);
  return port >= (low ?? 0) && port <= (high ?? 0);
}

/**
 * Whether a rule's matches all hold for the connection. A match on what the connection does not say (an
 * address netlab does not know) is taken as not holding, so a hint never quotes a rule that may not apply;
 * matches it does not read (conntrack, comments) are taken as holding.
 */
export function matchesConnection(rule: IptablesRule, connection: Connection): boolean {
  for (const [option, { value, negated }] of rule.matches) {
    const held = holdsFor(option, value, connection);
    if (held === undefined || held === negated) return false;
  }
  return true;
}

/** Whether a rule is for this TCP port: a `--dport` that holds it (not negated), and no other protocol. */
export function matchesPort(rule: IptablesRule, port: number): boolean {
  const protocol = rule.matches.get("-p");
  const dport = rule.matches.get("--dport");
  if (protocol && (protocol.negated || !["tcp", "all"].includes(protocol.value))) return false;
  return dport !== undefined && !dport.negated && portIn(dport.value, port);
}

/**
 * What a chain decides for a connection, as the kernel walks it: the first matching rule whose target ends the
 * walk (DROP, REJECT, ACCEPT, RETURN); rules jumping to other chains are passed over. Undefined: none matched.
 */
export function verdictOf(rules: readonly IptablesRule[], connection: Connection): IptablesRule | undefined {
  return rules.find(
    (rule) => ["DROP", "REJECT", "ACCEPT", "RETURN"].includes(rule.target ?? "") && matchesConnection(rule, connection),
  );
}
