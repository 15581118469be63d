import ipaddr from "ipaddr.js";
import type { ExecOutput, Outcome } from "../core/outcome.js";

// busybox `timeout` ends its child with SIGTERM; the shell reports 143, busybox itself 124 or 15.
const KILLED_BY_TIMEOUT = new Set([15, 124, 137, 143]);

function firstLine(text: string): string {
  return text.trim().split("\n").find(Boolean) ?? "";
}

/** Classifies busybox `nc` (or `httpd` bind) output into an outcome. */
export function classifyConnect(output: ExecOutput): { outcome: Outcome; detail: string } {
  const text = `${output.stderr}\n${output.stdout}`;
  const detail = firstLine(output.stderr) || firstLine(output.stdout);
  if (/Connection refused/i.test(text)) return { outcome: "refused", detail };
  // A site with no address of the target's family (IPv6 on a network without it) cannot even send.
  if (/Network is unreachable|Cannot assign requested address/i.test(text)) return { outcome: "unreachable", detail };
  if (/No route to host|Host is unreachable/i.test(text)) return { outcome: "host-unreachable", detail };
  if (/Address (already )?in use/i.test(text)) return { outcome: "address-in-use", detail };
  if (output.exitCode === 0) return { outcome: "connected", detail };
  if (KILLED_BY_TIMEOUT.has(output.exitCode) || /timed out/i.test(text)) {
    return {
      outcome: "timed-out",
      detail: detail || `no answer before the probe's deadline (exit ${output.exitCode})`,
    };
  }
  return { outcome: "failed", detail: detail || `exit code ${output.exitCode}` };
}

const NO_REPLY = "no reply: open but silent, or dropped";

/**
 * Classifies busybox `nslookup` pointed at ADDRESS:PORT as a UDP probe (see DatagramItem): a DNS answer or an
 * echo of the query is a reply (connected); ICMP port unreachable reads as "Connection refused" on its
 * connected socket (refused: closed); silence until the deadline is timed-out, which UDP cannot tell apart
 * from a server that listens and never answers. Messages measured with busybox 1.35 against a UDP echo
 * server, a silent one and a closed port.
 */
export function classifyDatagram(output: ExecOutput): { outcome: Outcome; detail: string } {
  const text = `${output.stderr}\n${output.stdout}`;
  const detail = firstLine(output.stderr) || firstLine(output.stdout);
  const answer = /Non-authoritative answer|can't find|Server:/i.test(text);
  if (answer || output.exitCode === 0) {
    // The server's own lines say nothing the target does not; keep what the reply said.
    const said = text
      .replace(/(Server|Address):\s*\S+/g, "")
      .replace(/\s+/g, " ")
      .trim()
      // One line per query (A, then AAAA) says the same twice.
      .replace(/^(.+?)(?: \1)+$/, "$1");
    return { outcome: "connected", detail: `reply: ${said || "an answer"}` };
  }
  // nslookup says it once per try; one is enough.
  const refusal = /nslookup: [^\n]*?Connection refused/i.exec(text)?.[0] ?? detail;
  if (/Connection refused/i.test(text))
    return { outcome: "refused", detail: `closed: ICMP port unreachable (${refusal})` };
  if (/Network is unreachable|Cannot assign requested address/i.test(text)) return { outcome: "unreachable", detail };
  if (/No route to host|Host is unreachable/i.test(text)) return { outcome: "host-unreachable", detail };
  if (KILLED_BY_TIMEOUT.has(output.exitCode) || /timed out|no servers could be reached/i.test(text))
    return { outcome: "timed-out", detail: NO_REPLY };
  return { outcome: "failed", detail: detail || `exit code ${output.exitCode}` };
}

/** Classifies busybox `nslookup` output; the resolved addresses are those after the "Name:" line. */
export function classifyLookup(output: ExecOutput): { outcome: Outcome; detail: string; addresses: string[] } {
  const text = `${output.stdout}\n${output.stderr}`;
  const afterName = text
    .split(/^Name:/m)
    .slice(1)
    .join("\n");
  // IPv4 and IPv6 answers (an AAAA answer on a network with IPv6); a server's `ADDRESS:53` is no answer.
  const addresses = [...afterName.matchAll(/Address(?: \d+)?:\s*([0-9a-fA-F:.]+)/g)]
    .map((match) => match[1] ?? "")
    .filter((address) => ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address));
  const detail = firstLine(output.stderr) || firstLine(output.stdout);
  if (addresses.length > 0) return { outcome: "resolved", detail: `${addresses.join(", ")}`, addresses };
  if (/Network is unreachable/i.test(text)) return { outcome: "unreachable", detail, addresses };
  // SERVFAIL and REFUSED are the server's failure rather than the name's absence (glibc: "Temporary failure"),
  // but the name does not resolve from here all the same: Docker 26's embedded DNS answers SERVFAIL for a name
  // it cannot forward (an --internal network) where 20.10 stays silent. The code stays in the words.
  const failure = /^.*can't find.*: (SERVFAIL|REFUSED)\s*$/im.exec(text);
  if (failure) return { outcome: "not-found", detail: failure[0].trim(), addresses };
  if (/NXDOMAIN|can't find|can't resolve/i.test(text)) {
    return {
      outcome: "not-found",
      detail: /^.*(can't find|can't resolve|NXDOMAIN).*$/im.exec(text)?.[0]?.trim() ?? detail,
      addresses,
    };
  }
  // NODATA: the server answered, with no address of either family (measured: exit 0, no Name: line).
  if (output.exitCode === 0 && /Non-authoritative answer|Server:/i.test(text))
    return { outcome: "not-found", detail: "the server answered with no address", addresses };
  if (/Connection refused/i.test(text)) return { outcome: "refused", detail, addresses };
  if (KILLED_BY_TIMEOUT.has(output.exitCode) || /timed out|no servers could be reached/i.test(text)) {
    return { outcome: "timed-out", detail: detail || "no answer before the probe's deadline", addresses };
  }
  return { outcome: "failed", detail: detail || `exit code ${output.exitCode}`, addresses };
}
