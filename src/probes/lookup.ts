import type { ExecOutput, ProbeResult } from "../core/outcome.js";
import { classifyLookup } from "./classify.js";
import { hostsAddresses, parseHostsFile } from "./hosts-file.js";

/** Starts a probe's output when /etc/hosts answered; its lines follow, joined with `;`. */
const HOSTS_MARK = "hosts-file";

/** What a probe result carries besides what it saw. */
interface ResultFrame {
  from: string;
  durationMs: number;
  command: string;
}

/**
 * A lookup as programs in the site make it (glibc and musl: `files` before `dns`): a name /etc/hosts lists is
 * answered from there and never reaches DNS (`--add-host`, `--link`); any other goes to the nameservers of
 * /etc/resolv.conf. busybox nslookup would put the search list before every name (and ignore `ndots`), so the
 * names are tried as the resolver tries them, each absolute (a trailing dot): with fewer dots than `ndots`
 * (default 1) the search domains first, then the name; else the name first (glibc then the search domains).
 * A name that does not exist moves on to the next; any other failure (no server answered) ends the lookup.
 * The hosts lines are joined with `;` so a batch's one-line output keeps them. `name` is checked by the caller
 * (letters, digits, `_ . -`): only its dots need escaping in the pattern.
 */
export function lookupArgv(name: string, bound: string): string[] {
  const pattern = `^[^#]*[[:space:]]${name.replaceAll(".", "\\.")}([[:space:]]|$)`;
  const hosts = `'${pattern}' /etc/hosts`;
  const dots = name.replace(/[^.]/g, "").length;
  const script = [
    `if grep -qiE ${hosts} 2>/dev/null; then printf '${HOSTS_MARK};'; grep -iE ${hosts} | tr '\\n' ';'; exit 0; fi`,
    "n=1; s=",
    "while read -r k v || [ -n \"$k\" ]; do case $k in search|domain) s=$v;; options) for o in $v; do case $o in ndots:*) n=${o#ndots:};; esac; done;; esac; done </etc/resolv.conf",
    `c=; for x in $s; do c="$c ${name}.$x."; done`,
    `if [ ${dots} -ge "$n" ]; then c="${name}. $c"; else c="$c ${name}."; fi`,
    `for q in $c; do r=$(timeout ${bound} nslookup $q 2>&1); e=$?; echo "$r"; [ $e = 0 ] && exit 0; case $r in *NXDOMAIN*) ;; *) exit $e;; esac; done; exit 1`,
  ].join("; ");
  return ["sh", "-c", script];
}

/** The server nslookup asked, as it prints it (`Server: 127.0.0.11`). */
function serverOf(text: string): string | undefined {
  return (
    /Server:\s*(\S+)/.exec(text)?.[1] ?? /write to '([^']+)'|remote host \(([^)]+)\)/.exec(text)?.slice(1).find(Boolean)
  );
}

/**
 * A lookup's output read into its result: the addresses, and which source answered in the detail
 * (`10.9.9.9 from /etc/hosts`, `172.18.0.2, 172.18.0.3 from DNS (127.0.0.11)`).
 */
export function lookupResult(name: string, output: ExecOutput, frame: ResultFrame): ProbeResult {
  const common = { probe: "dns" as const, from: frame.from, target: name, durationMs: frame.durationMs };
  const text = output.stdout.trim();
  if (text.startsWith(`${HOSTS_MARK};`)) {
    const addresses = hostsAddresses(parseHostsFile(text.slice(HOSTS_MARK.length + 1)), name);
    if (addresses.length > 0)
      return {
        ...common,
        outcome: "resolved",
        detail: `${addresses.join(", ")} from /etc/hosts`,
        addresses,
        command: frame.command,
      };
  }
  const classified = classifyLookup(output);
  const { outcome, addresses } = classified;
  // busybox `timeout` leaves only "Terminated" behind: say what it means.
  const detail =
    outcome === "timed-out" && /^(Terminated)?$/.test(classified.detail)
      ? "no answer before the probe's deadline"
      : classified.detail;
  const server = serverOf(`${output.stdout}\n${output.stderr}`);
  const source = server ? `DNS (${server})` : "DNS";
  return {
    ...common,
    outcome,
    detail: outcome === "resolved" ? `${detail} from ${source}` : `${detail} (asked ${source}; not in /etc/hosts)`,
    addresses,
    command: frame.command,
  };
}

/** Reads the site's /etc/resolv.conf and /etc/hosts in one go, each line ended by `;`, the hosts file after a mark. */
export const RESOLVER_FILES_ARGV = [
  "sh",
  "-c",
  `{ cat /etc/resolv.conf; echo; echo ${HOSTS_MARK}; cat /etc/hosts; } 2>&1 | tr '\\n' ';'`,
];

/** The two files' text, as read by `RESOLVER_FILES_ARGV`; `hosts` is empty when the read failed part-way. */
export function splitResolverFiles(text: string): { resolvConf: string; hosts: string } {
  const mark = `;${HOSTS_MARK};`;
  const at = text.indexOf(mark);
  return at < 0
    ? { resolvConf: text, hosts: "" }
    : { resolvConf: text.slice(0, at), hosts: text.slice(at + mark.length) };
}

/**
 * The resolver files' result: `resolved` when both were read (the outcome says the read worked, the text is in
 * `reply`), `failed` with the reader's own words otherwise.
 */
export function resolverFilesResult(output: ExecOutput, frame: ResultFrame): ProbeResult {
  const text = output.stdout.trim();
  const read = output.exitCode === 0 && text.includes(`;${HOSTS_MARK};`);
  return {
    probe: "dns",
    from: frame.from,
    target: "/etc/resolv.conf, /etc/hosts",
    outcome: read ? "resolved" : "failed",
    detail: read ? "read /etc/resolv.conf and /etc/hosts" : text || `exit code ${output.exitCode}`,
    ...(read ? { reply: text } : {}),
    durationMs: frame.durationMs,
    command: frame.command,
  };
}
