import type { ExecOutput, ProbeResult } from "../core/outcome.js";
import { classifyLookup } from "./classify.js";
import { hostsAddresses, parseHostsFile } from "./hosts-file.js";
import { candidatesWords, decidingCandidate, parseLookupTrace } from "./lookup-trace.js";

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
 * candidates are tried one by one, each absolute (a trailing dot), in glibc's order (res_search, the libc of
 * most images): the name as is first when it has at least `ndots` dots (default 1), then each search domain,
 * then the name as is if not tried yet. A candidate that is not found, has no address or gets SERVFAIL moves on
 * to the next domain; a refused connection ends the lookup; any other failure (a time-out, REFUSED) ends the
 * search list but the name as is is still tried. So a name glibc resolves (`api.` after `api.corp.example.`
 * timed out) is resolved here, where musl (Alpine) stops at the time-out. Each candidate is bounded by `bound`
 * seconds, so the whole lookup ends within `bound` times the number of candidates (search domains plus one);
 * with the stops above, at most two candidates wait for their deadline. Each candidate prints `@try NAME EXIT`
 * and its output (lines joined with `;`), and the resolver settings come first as `@conf`, so a batch's
 * one-line output keeps them apart. `name` is checked by the caller (letters, digits, `_ . -`): only its dots
 * need escaping in the pattern.
 */
export function lookupArgv(name: string, bound: string): string[] {
  const absolute = name.endsWith(".");
  const bare = absolute ? name.slice(0, -1) : name;
  const pattern = `^[^#]*[[:space:]]${bare.replaceAll(".", "\\.")}([[:space:]]|$)`;
  const hosts = `'${pattern}' /etc/hosts`;
  const dots = bare.replace(/[^.]/g, "").length;
  const asIs = `${bare}.`;
  const search = absolute
    ? "exit 1"
    : [
        `for x in $s; do case $x in .) c=${asIs}; a=1;; *) c=${bare}.\${x%.}.;; esac; t $c; case $v in ok) exit 0;; refused) exit 1;; stop) break;; esac; done`,
        `[ $a = 1 ] || { t ${asIs}; [ $v = ok ] && exit 0; }; exit 1`,
      ].join("; ");
  const script = [
    `if grep -qiE ${hosts} 2>/dev/null; then printf '${HOSTS_MARK};'; grep -iE ${hosts} | tr '\\n' ';'; exit 0; fi`,
    "n=1; s=; ns=; a=0",
    'while read -r k v || [ -n "$k" ]; do case $k in nameserver) ns="$ns${ns:+,}${v%% *}";; search|domain) s=$v;; options) for o in $v; do case $o in ndots:*) n=${o#ndots:};; esac; done;; esac; done </etc/resolv.conf',
    "echo \"@conf ndots:$n search:$(echo $s | tr ' ' ,) servers:$ns\"",
    `t() { r=$(timeout ${bound} nslookup $1 2>&1); e=$?; echo "@try $1 $e $(printf %s "$r" | tr '\\n' ';')"; case $e:$r in 0:*Name:*) v=ok;; *NXDOMAIN*|*SERVFAIL*|0:*) v=next;; *"Connection refused"*) v=refused;; *) v=stop;; esac; }`,
    `if [ ${dots} -ge "$n" ] || ${absolute}; then t ${asIs}; [ $v = ok ] && exit 0; a=1; fi`,
    search,
  ].join("; ");
  return ["sh", "-c", script];
}

/** The server nslookup asked, as it prints it (`Server: 127.0.0.11`). */
function serverOf(text: string): string | undefined {
  return (
    /Server:\s*([^\s;]+)/.exec(text)?.[1] ??
    /write to '([^']+)'|remote host \(([^)]+)\)/.exec(text)?.slice(1).find(Boolean)
  );
}

/**
 * A lookup's output read into its result: the addresses, and which source answered in the detail
 * (`10.9.9.9 from /etc/hosts`, `172.18.0.2, 172.18.0.3 from DNS (127.0.0.11)`, and `as api. (after
 * api.corp.example.: no answer in time)` when another candidate was asked first). The script's own lines are
 * kept as the reply, so a failure can say what each candidate got and which resolver was asked.
 */
export function lookupResult(name: string, output: ExecOutput, frame: ResultFrame): ProbeResult {
  const common = { probe: "dns" as const, from: frame.from, target: name, durationMs: frame.durationMs };
  const text = output.stdout.trim();
  if (text.startsWith(`${HOSTS_MARK};`)) {
    const addresses = hostsAddresses(parseHostsFile(text.slice(HOSTS_MARK.length + 1)), name.replace(/\.$/, ""));
    if (addresses.length > 0)
      return {
        ...common,
        outcome: "resolved",
        detail: `${addresses.join(", ")} from /etc/hosts`,
        addresses,
        command: frame.command,
      };
  }
  const trace = parseLookupTrace(`${output.stdout}\n${output.stderr}`);
  const deciding = trace && decidingCandidate(trace, name);
  if (!trace || !deciding) return singleLookupResult(output, common, frame);
  const server = serverOf(`${output.stdout}\n${output.stderr}`) ?? trace.servers[0];
  const source = server ? `DNS (${server})` : "DNS";
  const reply = text.slice(0, 2048);
  if (deciding.outcome !== "resolved")
    return {
      ...common,
      outcome: deciding.outcome,
      detail: `${deciding.name} ${deciding.short} (asked ${source} for ${candidatesWords(trace.candidates)}; not in /etc/hosts)`,
      addresses: [],
      reply,
      command: frame.command,
    };
  // Search domains that do not know the name are the search list at work: only the others are worth saying.
  const before = trace.candidates
    .slice(0, trace.candidates.indexOf(deciding))
    .filter((candidate) => candidate.short !== "NXDOMAIN");
  const asIs = deciding.name.toLowerCase() === `${name.replace(/\.$/, "")}.`.toLowerCase();
  // glibc goes on past a time-out, SERVFAIL or no address; musl (Alpine's programs) ends the lookup there.
  const musl = before[0] ? `; musl (Alpine) stops at ${before[0].name}` : "";
  const after = before.length > 0 ? ` (after ${candidatesWords(before)}${musl})` : "";
  const as = asIs && !after ? "" : ` as ${deciding.name}${after}`;
  return {
    ...common,
    outcome: "resolved",
    detail: `${deciding.addresses.join(", ")} from ${source}${as}`,
    addresses: deciding.addresses,
    reply,
    command: frame.command,
  };
}

/** A lookup's output with no candidate lines (one nslookup's words) read into its result. */
function singleLookupResult(
  output: ExecOutput,
  common: Pick<ProbeResult, "probe" | "from" | "target" | "durationMs">,
  frame: ResultFrame,
): ProbeResult {
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
