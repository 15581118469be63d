import type { ExecOutput, Outcome } from "../core/outcome.js";

/** One echo request, waiting `seconds` for its reply; busybox sends ICMPv6 to an IPv6 address by itself. */
export function pingArgv(address: string, seconds: string): string[] {
  return ["ping", "-c", "1", "-W", seconds, address];
}

/**
 * What one echo request saw, from busybox ping's words (on their own lines, or flattened by a batch): a reply
 * (`replied in 0.1 ms`), none before the deadline (timed-out), or no way to send it (no route: unreachable).
 */
export function classifyPing(output: ExecOutput): { outcome: Outcome; detail: string } {
  const text = `${output.stdout}\n${output.stderr}`;
  const reply = /bytes from (\S+?):? .*?time=([\d.]+) ms/.exec(text);
  if (reply && /\b1 packets received/.test(text))
    return { outcome: "connected", detail: `replied in ${reply[2]} ms (${reply[1]})` };
  const error = /ping: [^\n]*/.exec(text)?.[0]?.trim();
  // Without an address of the family on any interface, the kernel cannot pick a source: no route either.
  if (/Network is unreachable|Cannot assign requested address/i.test(text))
    return { outcome: "unreachable", detail: error ?? "Network is unreachable" };
  if (/No route to host|Host is unreachable/i.test(text))
    return { outcome: "host-unreachable", detail: error ?? "Host is unreachable" };
  if (/\b0 packets received/.test(text)) return { outcome: "timed-out", detail: "no reply" };
  return { outcome: "failed", detail: error ?? (text.trim().split("\n")[0] || `exit code ${output.exitCode}`) };
}
