import ipaddr from "ipaddr.js";
import { z } from "zod";
import { OUTCOMES } from "../outcome.js";
import { MAX_NODES } from "../node-plan.js";
import { parseDockerCreate } from "./docker-command.js";
import { DURATION_PATTERN, parseDuration } from "./duration.js";
import { ipFamilyProblem, NAME_PATTERN, NETNS_PREFIX, parseNamespace, parseSource, parseTarget } from "./endpoint.js";
import type { Parsed } from "./parsed.js";
import { PUBLISHED_PORT_PATTERN, parsePublishedPort } from "./published-port.js";
import { parsePingTarget } from "./ping-target.js";
import { parseHttpTarget } from "./http-target.js";
import { parseResolveItem, resolverInStack, serviceItemsOutsideStack } from "./resolve-item.js";

/** A string read by one of the spec's small parsers; its error message becomes the zod issue. */
function parsedText<T>(parse: (text: string) => Parsed<T>, pattern?: string) {
  const text = pattern === undefined ? z.string() : z.string().meta({ pattern });
  return text.transform((value, ctx) => {
    const result = parse(value);
    if (result.ok) return result.value;
    ctx.issues.push({ code: "custom", message: result.message, input: value });
    return z.NEVER;
  });
}

// Refinements that compare keys run even when a sibling value is bad, so every problem is reported at once.
const whenObject = {
  when: (payload: { value: unknown }) => typeof payload.value === "object" && payload.value !== null,
};

const YES = ["yes", "true"];
const NO = ["no", "false"];

const reachValue = z
  .union([z.boolean(), z.enum([...YES, ...NO])], {
    error: (issue) => `bad reach \`${String(issue.input)}\`: yes or no`,
  })
  .transform((value) => value === true || YES.includes(String(value)))
  .meta({
    description:
      "yes: the connection is made (UDP: a reply came back); no: no path, timed out or unreachable (version 1 also counts refused; the one seen is recorded).",
  });

const matrixCell = z
  .union([z.boolean(), z.null(), z.enum(["y", "n", ".", ...YES, ...NO])], {
    error: (issue) => `bad matrix cell \`${String(issue.input)}\`: y, n or . (not checked)`,
  })
  .transform((value) =>
    value === null || value === "." ? null : value === true || value === "y" || YES.includes(String(value)),
  )
  .meta({ description: "y: reachable, n: not reachable, .: not checked." });

const outcome = z
  .enum(OUTCOMES, {
    error: (issue) => `unknown outcome \`${String(issue.input)}\`; valid outcomes: ${OUTCOMES.join(", ")}`,
  })
  .meta({ description: "The one exact typed outcome expected (instead of reach)." });

const within = parsedText(parseDuration, DURATION_PATTERN).meta({
  description:
    "How long the expectation may take to become true (retried only while observed ≠ expected), e.g. 500ms, 5s, 1m.",
});

const source = parsedText(parseSource).meta({
  description:
    "Where the probe runs: a compose service, a container name, netns:NAME (a namespace made with ip netns add), `host`, or `outside` (the sentinel).",
});

const target = parsedText(parseTarget).meta({
  description:
    "NAME:PORT (service or container), host:PORT, IPv4:PORT, [IPv6]:PORT, each with /udp for UDP (proof of a reply; /tcp is the default), or `outside` (the sentinel; outside:PORT too).",
});

const ipFamily = z
  .union([z.literal(4), z.literal(6)], { error: (issue) => `bad ip \`${String(issue.input)}\`: 4 or 6` })
  .meta({
    description:
      "6: dial NAME targets at their IPv6 addresses (networks made with --ipv6) and host:PORT at ::1 from the host; 4 is the default.",
  });

const containerName = z
  .string()
  .regex(NAME_PATTERN, { error: (issue) => `bad name \`${String(issue.input)}\`: not a container or service name` });

const labels = {
  id: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "A unique id for reports; generated from the expectation when absent." }),
  name: z.string().optional().meta({ description: "A human title for reports." }),
  within: within.optional(),
};

const SEEN_AS = ["host", "self"] as const;
const seenAs = z
  .enum(SEEN_AS, {
    error: (issue) =>
      `bad seen-as \`${String(issue.input)}\`: host (the source's address was rewritten to the host's: NAT) or self (its own)`,
  })
  .meta({
    description:
      "With to: outside and reach: yes, the address the outside sees the connection come from: host (NAT, MASQUERADE) or self (the source's own).",
  });

const reachEntry = z
  .strictObject({
    from: source,
    to: target,
    reach: reachValue.optional(),
    outcome: outcome.optional(),
    "seen-as": seenAs.optional(),
    ip: ipFamily.optional(),
    ...labels,
  })
  .superRefine((entry, ctx) => {
    const ipProblem =
      entry.ip === undefined || entry.to === undefined ? undefined : ipFamilyProblem(entry.ip, entry.to);
    if (ipProblem) ctx.addIssue({ code: "custom", path: ["ip"], message: ipProblem });
    if (entry["seen-as"] !== undefined && (entry.to?.kind !== "outside" || entry.reach !== true)) {
      ctx.addIssue({
        code: "custom",
        path: ["seen-as"],
        message: "`seen-as` needs `to: outside` and `reach: yes`: only the outside (the sentinel) reports who it saw",
      });
    } else if (entry["seen-as"] !== undefined && (entry.from?.kind === "host" || entry.from?.kind === "outside")) {
      ctx.addIssue({
        code: "custom",
        path: ["seen-as"],
        message: `\`seen-as\` from ${entry.from.kind} says nothing: the host's own address is the one NAT would show; probe from a container or netns:NAME`,
      });
    }
    if (entry.reach !== undefined && entry.outcome !== undefined) {
      ctx.addIssue({ code: "custom", path: ["outcome"], message: "`reach` and `outcome` together: give one of them" });
    } else if (entry.reach === undefined && entry.outcome === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "missing `reach` (yes or no) or `outcome` (one exact outcome)",
      });
    }
  }, whenObject)
  .meta({ title: "reach", description: "Whether `from` reaches `to` (reach), or exactly how it fails (outcome)." });

const resolveItems = (what: string) =>
  z
    .array(
      // A YAML `10.1` is a number: read as text, so the error says what is wrong with it as an address.
      z.union([z.string(), z.number()]).transform(String).pipe(parsedText(parseResolveItem)).meta({
        description:
          "A container or service (its addresses on the networks it shares with `from`), an IPv4 or IPv6 address, or in a stack spec vip:SERVICE (its virtual IP) or tasks:SERVICE (every task's address).",
      }),
    )
    .min(1, { error: `\`${what}\` lists nothing: name at least one container, service or address` })
    .optional();

/** What a resolve says the name resolves to: the exact set, at least these, how many. */
const RESOLVE_ANSWER = ["addresses", "includes", "count"] as const;

const resolveEntry = z
  .strictObject({
    from: source,
    resolve: containerName.meta({
      description:
        "A name looked up from inside `from` as its programs do: /etc/hosts first (--add-host, --link), then DNS.",
    }),
    reach: reachValue.optional().meta({
      description:
        "yes: it resolves (to an address of that container, when it names one); no: it does not resolve. Optional with addresses, includes or count.",
    }),
    addresses: resolveItems("addresses").meta({
      description:
        "The exact set of addresses it resolves to: each item answered, and every address answered is one of theirs.",
    }),
    includes: resolveItems("includes").meta({
      description: "Addresses it resolves to at least: each item answered (others may be too).",
    }),
    count: z
      .number({ error: (issue) => `bad count \`${String(issue.input)}\`: a whole number of addresses, 1 or more` })
      .refine(Number.isInteger, {
        error: (issue) => `bad count \`${String(issue.input)}\`: a whole number of addresses, 1 or more`,
      })
      .refine((count) => count >= 1, {
        error: "bad count `0`: a name that resolves has 1 address or more (for none, write reach: no)",
      })
      .optional()
      .meta({ description: "How many distinct addresses it resolves to, exactly." }),
    ...labels,
  })
  .superRefine((entry, ctx) => {
    const answer = RESOLVE_ANSWER.filter((key) => entry[key] !== undefined);
    if (entry.reach === false && answer.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["reach"],
        message: `\`reach: no\` with \`${answer[0]}\`: a name that does not resolve has no addresses; drop \`reach\` (\`${answer[0]}\` says it resolves) or drop \`${answer[0]}\``,
      });
    } else if (entry.reach === undefined && answer.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "missing `reach` (yes or no), or what it resolves to: `addresses`, `includes` or `count`",
      });
    }
    if (entry.addresses !== undefined && entry.includes !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["includes"],
        message: "`addresses` and `includes` together: `addresses` is the exact set, `includes` the least; give one",
      });
    if (entry.addresses !== undefined && entry.count !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["count"],
        message: "`count` with `addresses`: the exact set already says how many; give one of them",
      });
  }, whenObject)
  .meta({
    title: "resolve",
    description:
      "Whether a name resolves from inside `from`, and to what (the exact set, at least these, how many), through its /etc/hosts and DNS.",
  });

const resolverAddress = z
  .union([z.string(), z.number()])
  .transform(String)
  .refine((value) => ipaddr.IPv4.isValidFourPartDecimal(value) || ipaddr.IPv6.isValid(value), {
    error: (issue) => `bad address \`${String(issue.input)}\`: an IPv4 (10.0.0.53) or IPv6 (fd00::53) address`,
  });

const resolverWords = (what: string, example: string) =>
  z
    .array(
      z.string().regex(/^[^\s#;]+$/, {
        error: (issue) => `bad ${what} \`${String(issue.input)}\`: one word, e.g. ${example}`,
      }),
    )
    .optional();

const resolverEntry = z
  .strictObject({
    resolver: containerName.meta({
      description: "The container (or service) whose resolver configuration is read, from inside it.",
    }),
    nameservers: z.array(resolverAddress).optional().meta({
      description:
        "The exact servers its lookups go to: /etc/resolv.conf's nameservers, or with the embedded DNS (127.0.0.11, a user-defined network) the servers it forwards to (--dns).",
    }),
    search: resolverWords("search domain", "corp.example").meta({
      description: "The exact search list of /etc/resolv.conf (--dns-search).",
    }),
    options: resolverWords("option", "ndots:2").meta({
      description: "The exact options of /etc/resolv.conf (--dns-option), e.g. ndots:2.",
    }),
    hosts: z
      .record(
        z.string().regex(NAME_PATTERN, { error: (issue) => `bad host name \`${String(issue.input)}\`` }),
        z
          .union([resolverAddress, z.array(resolverAddress).min(1)])
          .transform((value) => (Array.isArray(value) ? value : [value])),
      )
      .optional()
      .meta({
        description: "Names /etc/hosts gives these addresses (--add-host NAME:ADDRESS, --link): name → address(es).",
      }),
    ...labels,
  })
  .superRefine(needsOneOf(["nameservers", "search", "options", "hosts"]), whenObject)
  .meta({
    title: "resolver",
    description:
      "A container's resolver configuration as its programs read it: nameservers, search, options (/etc/resolv.conf), and /etc/hosts.",
  });

const publishesEntry = z
  .strictObject({
    publishes: containerName.meta({
      description: "The container (or compose service) whose published ports are checked.",
    }),
    ports: z.array(parsedText(parsePublishedPort, PUBLISHED_PORT_PATTERN)).meta({
      description:
        "The exact set of ports it publishes, as `docker ps` shows them: [HOSTIP:]HOSTPORT->PORT/tcp. No HOSTIP (or 0.0.0.0): every IPv4 address, the [::] twin allowed; [::] alone is IPv6 only.",
    }),
    ...labels,
  })
  .meta({ title: "publishes", description: "The exact set of ports a container publishes on the host." });

const matrixEntry = z
  .strictObject({
    matrix: z
      .strictObject({
        from: z.array(source).min(1),
        to: z.array(target).min(1),
        reach: z.array(z.array(matrixCell)).meta({ description: "One row per `from`, one cell per `to`: y, n or ." }),
        id: z.string().min(1).optional().meta({ description: "The matrix's id, and the prefix of its cells' ids." }),
        name: labels.name,
        within: labels.within,
        ip: ipFamily.optional(),
      })
      .superRefine((matrix, ctx) => {
        if (!Array.isArray(matrix.reach) || !Array.isArray(matrix.from) || !Array.isArray(matrix.to)) return;
        matrix.to.forEach((to, index) => {
          const ipProblem = matrix.ip === undefined || to === undefined ? undefined : ipFamilyProblem(matrix.ip, to);
          if (ipProblem) ctx.addIssue({ code: "custom", path: ["to", index], message: ipProblem });
        });
        if (matrix.reach.length !== matrix.from.length) {
          ctx.addIssue({
            code: "custom",
            path: ["reach"],
            message: `ragged matrix: ${matrix.reach.length} rows for ${matrix.from.length} \`from\` entries; give one row per \`from\``,
          });
        }
        matrix.reach.forEach((row, index) => {
          if (Array.isArray(row) && row.length !== matrix.to.length) {
            ctx.addIssue({
              code: "custom",
              path: ["reach", index],
              message: `ragged matrix: row ${index + 1} has ${row.length} cells for ${matrix.to.length} \`to\` entries`,
            });
          }
        });
      }, whenObject),
    // id, name and within may also sit beside `matrix:`, as on every other expectation.
    ...labels,
  })
  .meta({ title: "matrix", description: "A reachability matrix: each cell is an expectation of its own." });

const networkName = z.string().regex(NAME_PATTERN, {
  error: (issue) =>
    `bad network name \`${String(issue.input)}\`: letters, digits, _ . - (starting with a letter or digit)`,
});

const interfaceName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,14}$/, {
  error: (issue) =>
    `bad interface name \`${String(issue.input)}\`: up to 15 letters, digits, _ . - (e.g. lo, eth0, docker0)`,
});

const MODE = /^(bridge|default|none|host|container:[a-zA-Z0-9][a-zA-Z0-9_.-]*)$/;
const networkModeValue = z
  .string()
  .regex(MODE, {
    error: (issue) =>
      `bad mode \`${String(issue.input)}\`: bridge, none, host or container:NAME (for a network you created, write attached: [NAME])`,
  })
  .meta({
    description:
      "The container's network mode: bridge (the default bridge), none, host, or container:NAME (sharing NAME's namespace).",
  });

const yesNo = (what: string) =>
  z
    .union([z.boolean(), z.enum([...YES, ...NO])], {
      error: (issue) => `bad ${what} \`${String(issue.input)}\`: yes or no`,
    })
    .transform((value) => value === true || YES.includes(String(value)));

/** At least one of `keys` must be written. */
function needsOneOf(keys: string[]) {
  return (entry: Record<string, unknown>, ctx: z.RefinementCtx) => {
    if (keys.every((key) => entry[key] === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: `missing ${keys.map((key) => `\`${key}\``).join(" or ")}` });
    }
  };
}

const networkEntry = z
  .strictObject({
    network: containerName.meta({ description: "The container whose network settings are checked." }),
    mode: networkModeValue.optional(),
    attached: z
      .array(networkName)
      .optional()
      .meta({ description: "The exact set of networks the container is attached to, by name." }),
    ...labels,
  })
  .superRefine(needsOneOf(["mode", "attached"]), whenObject)
  .meta({
    title: "network",
    description: "A container's network mode and/or the exact set of networks it is attached to.",
  });

/** An IPv4 or IPv6 address, as the engine prints it (four-part IPv4: ipaddr.js alone takes 10.1). */
const ipAddress = z
  .string()
  .refine((value) => ipaddr.IPv4.isValidFourPartDecimal(value) || ipaddr.IPv6.isValid(value), {
    error: (issue) => `bad address \`${String(issue.input)}\`: an IPv4 (172.30.0.10) or IPv6 (fd00:1::10) address`,
  });

/** Whether `value` is an IPv4 CIDR (four-part) or an IPv6 one. */
function isCidr(value: string): boolean {
  const [address = "", prefix = "", ...rest] = value.split("/");
  if (rest.length > 0 || !/^\d{1,3}$/.test(prefix)) return false;
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return Number(prefix) <= 32;
  return ipaddr.IPv6.isValid(address) && Number(prefix) <= 128;
}

const cidr = z.string().refine(isCidr, {
  error: (issue) => `bad CIDR \`${String(issue.input)}\`: write it as 172.30.0.0/24 or fd00:1::/64`,
});

/** `host` (this machine's own tables and links: a local engine only) or `netns:NAME`. */
const hostOrNamespace = z
  .string()
  .transform((value, ctx) => {
    if (value === "host") return { kind: "host" as const };
    const name = parseNamespace(value);
    if (name.ok) return { kind: "netns" as const, name: name.value };
    ctx.issues.push({ code: "custom", message: `${name.message}, or host (this machine's own)`, input: value });
    return z.NEVER;
  })
  .meta({
    description:
      "host (this machine's own tables: a local engine only) or netns:NAME (a namespace made with ip netns add).",
  });

const macAddress = z
  .string()
  .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, {
    error: (issue) => `bad MAC address \`${String(issue.input)}\`: six hex pairs, e.g. 6e:11:22:33:44:55`,
  })
  .transform((value) => value.toLowerCase());

/** A driver option's value: Docker keeps them as strings; a bare YAML false or 1500 means the same text. */
const optionValue = z
  .union([z.string(), z.boolean(), z.number()], {
    error: (issue) => `bad option value \`${String(issue.input)}\`: a string, e.g. "false" or "1500"`,
  })
  .transform((value) => String(value));

const DRIVERS = ["bridge", "overlay", "macvlan", "ipvlan", "host", "null"] as const;
const dockerNetworkEntry = z
  .strictObject({
    "docker-network": networkName.meta({ description: "A Docker network, by name (docker network ls)." }),
    driver: z
      .enum(DRIVERS, { error: (issue) => `unknown driver \`${String(issue.input)}\`; drivers: ${DRIVERS.join(", ")}` })
      .optional()
      .meta({ description: "Its driver." }),
    internal: yesNo("internal").optional().meta({ description: "yes: made with --internal (no way out)." }),
    attachable: yesNo("attachable")
      .optional()
      .meta({ description: "yes: made with --attachable (plain containers may join an overlay)." }),
    parent: interfaceName
      .optional()
      .meta({ description: "The host interface a macvlan or ipvlan network sits on (-o parent=…)." }),
    subnet: cidr.optional().meta({ description: "A subnet of its IPAM config (--subnet), IPv4 or IPv6." }),
    gateway: ipAddress.optional().meta({ description: "A gateway of its IPAM config (--gateway), IPv4 or IPv6." }),
    ipv6: yesNo("ipv6").optional().meta({ description: "yes: made with --ipv6." }),
    options: z.record(z.string().min(1), optionValue).optional().meta({
      description:
        'Driver options it has, exact values for the keys given (-o KEY=VALUE), e.g. { com.docker.network.bridge.enable_icc: "false" }.',
    }),
    ...labels,
  })
  .meta({ title: "docker-network", description: "A Docker network exists, with this driver and these options." });

const addressIn = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    if (!value.includes("/")) {
      if (NAME_PATTERN.test(value)) return { kind: "network" as const, name: value };
      ctx.issues.push({
        code: "custom",
        message: `bad \`in\` \`${value}\`: a network name or a CIDR (172.17.0.0/16, fd00:1::/64)`,
        input: value,
      });
      return z.NEVER;
    }
    if (!isCidr(value)) {
      ctx.issues.push({
        code: "custom",
        message: `bad CIDR \`${value}\`: write it as 172.17.0.0/16 or fd00:1::/64`,
        input: value,
      });
      return z.NEVER;
    }
    return { kind: "cidr" as const, cidr: value };
  })
  .meta({ description: "A network name (its subnets, as the engine reports them) or a CIDR, IPv4 or IPv6." });

const addressEntry = z
  .strictObject({
    address: z
      .union([containerName, z.array(containerName).min(1)], {
        error: (issue) => `bad \`address\` \`${String(issue.input)}\`: a container name or a list of them`,
      })
      .transform((value) => (Array.isArray(value) ? value : [value]))
      .meta({ description: "The container(s) whose address is checked." }),
    in: addressIn,
    ordered: yesNo("ordered")
      .optional()
      .meta({ description: "yes: the addresses ascend in the order the containers are listed (handed out in order)." }),
    ip: ipAddress
      .optional()
      .meta({ description: "Its exact address on the network `in` (--ip / --ip6), IPv4 or IPv6." }),
    mac: macAddress.optional().meta({ description: "Its MAC address on the network `in` (--mac-address)." }),
    aliases: z
      .array(containerName)
      .min(1)
      .optional()
      .meta({ description: "Network-scoped aliases it has on the network `in` (--network-alias), at least these." }),
    ...labels,
  })
  .superRefine((entry, ctx) => {
    const given = (["ip", "mac", "aliases"] as const).filter((key) => entry[key] !== undefined);
    if (given.length === 0) return;
    if (typeof entry.in === "object" && entry.in !== null && entry.in.kind !== "network")
      ctx.addIssue({
        code: "custom",
        path: ["in"],
        message: `\`${given[0]}\` is read on one network: \`in\` must name a network, not a CIDR`,
      });
    if (Array.isArray(entry.address) && entry.address.length > 1)
      ctx.addIssue({
        code: "custom",
        path: ["address"],
        message: `\`${given[0]}\` belongs to one container: write one address entry per container`,
      });
  }, whenObject)
  .meta({
    title: "address",
    description: "Each container has an address in a network's subnet (or a CIDR), optionally in the order listed.",
  });

/** A container (or service) by name, or `netns:NAME`: whose interfaces an `interfaces` expectation reads. */
const interfacesOf = z
  .string()
  .transform((value, ctx) => {
    if (value === "host") return { kind: "host" as const };
    if (value.startsWith(NETNS_PREFIX)) {
      const name = parseNamespace(value);
      if (name.ok) return { kind: "netns" as const, name: name.value };
      ctx.issues.push({ code: "custom", message: name.message, input: value });
      return z.NEVER;
    }
    if (NAME_PATTERN.test(value)) return { kind: "container" as const, name: value };
    ctx.issues.push({
      code: "custom",
      message: `bad name \`${value}\`: a container or service name, netns:NAME, or host`,
      input: value,
    });
    return z.NEVER;
  })
  .meta({
    description:
      "The container (or service) whose interfaces are checked from inside its namespace, netns:NAME (a namespace made with ip netns add), or host (this machine's own: a local engine only).",
  });

const interfacesEntry = z
  .strictObject({
    interfaces: interfacesOf,
    only: z
      .array(interfaceName)
      .min(1)
      .optional()
      .meta({ description: "The exact set of interfaces it has, e.g. [lo]." }),
    "veth-on": interfaceName.optional().meta({
      description:
        "A container's eth0 (any veth of a netns:NAME) is one end of a veth pair whose host end is enslaved to this bridge (e.g. docker0). Reads the host: a local engine only.",
    }),
    has: z
      .array(interfaceName)
      .min(1)
      .optional()
      .meta({ description: "With interfaces: host: interfaces the host has, at least these." }),
    up: z.array(interfaceName).min(1).optional().meta({
      description: "With interfaces: host: interfaces that are up (operstate UP; lo's UNKNOWN with UP counts).",
    }),
    down: z.array(interfaceName).min(1).optional().meta({
      description: "With interfaces: host: interfaces that exist and are not up (a bridge with no port is down).",
    }),
    addresses: z.record(interfaceName, z.array(cidr).min(1)).optional().meta({
      description:
        "With interfaces: host: addresses an interface has, at least these, e.g. { docker0: [172.17.0.1/16] }.",
    }),
    ...labels,
  })
  .superRefine(needsOneOf(["only", "veth-on", "has", "up", "down", "addresses"]), whenObject)
  .superRefine((entry, ctx) => {
    const ofHost = typeof entry.interfaces === "object" && entry.interfaces?.kind === "host";
    const hostKeys = (["has", "up", "down", "addresses"] as const).filter((key) => entry[key] !== undefined);
    const otherKeys = (["only", "veth-on"] as const).filter((key) => entry[key] !== undefined);
    if (typeof entry.interfaces !== "object" || entry.interfaces === null) return;
    if (ofHost && otherKeys.length > 0)
      ctx.addIssue({
        code: "custom",
        path: [otherKeys[0]!],
        message: `\`${otherKeys[0]}\` reads a container or netns:NAME; for the host write has, up, down or addresses`,
      });
    if (!ofHost && hostKeys.length > 0)
      ctx.addIssue({
        code: "custom",
        path: [hostKeys[0]!],
        message: `\`${hostKeys[0]}\` reads the host's own interfaces: write interfaces: host (for a container: only, veth-on)`,
      });
  }, whenObject)
  .meta({
    title: "interfaces",
    description:
      "The interfaces inside a container or a named namespace, or where its veth's other end is on the host.",
  });

/** `netns:NAME` only: the named namespace (a node or a pod made with ip netns add) whose kernel tables are read. */
const namespaceOnly = parsedText(parseNamespace).meta({
  description: "netns:NAME, a namespace made with ip netns add (a node or a pod), whose tables are read.",
});

const ipv4Address = z.string().refine((value) => ipaddr.IPv4.isValidFourPartDecimal(value), {
  error: (issue) => `bad IPv4 address \`${String(issue.input)}\`: four numbers, e.g. 10.244.2.0`,
});

/** As ip route prints a destination: four-part address, with a prefix length unless a host (ipaddr.js alone takes 10.244.2/24). */
function isFourPartDestination(value: string): boolean {
  const [address = "", prefix, ...rest] = value.split("/");
  if (rest.length > 0 || !ipaddr.IPv4.isValidFourPartDecimal(address)) return false;
  return prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
}

const routeDestination = z.string().refine((value) => value === "default" || isFourPartDestination(value), {
  error: (issue) => `bad destination \`${String(issue.input)}\`: a CIDR (10.244.2.0/24), an address, or default`,
});

const fdbEntry = z
  .strictObject({
    fdb: namespaceOnly,
    dev: interfaceName.meta({ description: "The device the entry is on, e.g. flannel.1 (a VXLAN device)." }),
    mac: macAddress.meta({
      description: "The entry's MAC address: for flannel, the peer node's VTEP (its flannel.1).",
    }),
    dst: ipv4Address.optional().meta({
      description: "Where frames for that MAC are tunnelled: the peer node's underlay address (bridge fdb … dst).",
    }),
    ...labels,
  })
  .meta({
    title: "fdb",
    description: "A bridge forwarding-database entry in a named namespace (bridge fdb show), e.g. flannel's peer VTEP.",
  });

const neighbourEntry = z
  .strictObject({
    neighbour: namespaceOnly,
    address: ipv4Address.meta({ description: "The neighbour's IPv4 address, e.g. the peer's flannel.1 address." }),
    lladdr: macAddress.meta({ description: "The link-layer address it resolves to." }),
    dev: interfaceName.optional().meta({ description: "The device the entry is on." }),
    permanent: yesNo("permanent")
      .optional()
      .meta({ description: "yes: the entry is PERMANENT (written with nud permanent, never re-resolved by ARP)." }),
    ...labels,
  })
  .meta({
    title: "neighbour",
    description: "A neighbour (ARP) entry in a named namespace (ip neigh show): address → link-layer address.",
  });

const routeEntry = z
  .strictObject({
    route: hostOrNamespace,
    to: routeDestination.meta({ description: "The destination as ip route prints it: 10.244.2.0/24, or default." }),
    via: ipv4Address.optional().meta({ description: "The gateway." }),
    dev: interfaceName.optional().meta({ description: "The device it goes out of." }),
    onlink: yesNo("onlink")
      .optional()
      .meta({ description: "yes: the gateway is taken as on the link without a subnet saying so (flannel's /32)." }),
    ...labels,
  })
  .meta({ title: "route", description: "A route in the host's or a named namespace's main table (ip route show)." });

const flowsEntry = z
  .strictObject({
    flows: interfaceName.meta({ description: "The Open vSwitch bridge whose OpenFlow table is read, e.g. br0." }),
    switch: z
      .string()
      .regex(/^\/[^\s'"\\;|&$`]*$/, {
        error: (issue) => `bad switch directory \`${String(issue.input)}\`: an absolute path without spaces or quotes`,
      })
      .optional()
      .meta({
        description:
          "The run directory of a private Open vSwitch, where its bridges' BRIDGE.mgmt sockets are (OVS_RUNDIR); default the system's /var/run/openvswitch.",
      }),
    match: z.string().min(1).meta({
      description:
        "Fields a flow's match must have, as dump-flows prints them, comma-separated in any order: tcp,tp_dst=8080 or icmp.",
    }),
    actions: z.string().min(1).optional().meta({ description: "Its actions, as printed: drop, NORMAL, output:2." }),
    hit: yesNo("hit")
      .optional()
      .meta({ description: "yes: the flow has matched packets (n_packets > 0); no: none yet." }),
    ...labels,
  })
  .meta({
    title: "flows",
    description: "An OpenFlow flow in an Open vSwitch bridge's table (ovs-ofctl dump-flows), with its counters.",
  });

const iptablesEntry = z
  .strictObject({
    iptables: hostOrNamespace,
    table: z
      .enum(["filter", "nat", "mangle", "raw"], {
        error: (issue) => `bad table \`${String(issue.input)}\`: filter, nat, mangle or raw`,
      })
      .default("filter")
      .meta({ description: "The table (default filter)." }),
    chain: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]{0,28}$/, {
        error: (issue) => `bad chain \`${String(issue.input)}\`: a chain name such as KUBE-SERVICES`,
      })
      .meta({ description: "The chain whose rules are read (iptables -t TABLE -S CHAIN)." }),
    rule: z.string().min(1).meta({
      description:
        "Words one rule of the chain has, in this order, as typed (-d 10.96.0.10 -p tcp --dport 80 -j KUBE-SVC-X): iptables' own additions (-m tcp, /32, 0.50000000000) are allowed.",
    }),
    ...labels,
  })
  .meta({
    title: "iptables",
    description:
      "A rule in a chain of the host's iptables (DOCKER-USER, nat DOCKER) or a named namespace's (iptables -S), e.g. kube-proxy's.",
  });

const STATES = ["running", "exited"] as const;
const containerEntry = z
  .strictObject({
    container: containerName.meta({ description: "A container, running or not." }),
    state: z
      .enum(STATES, { error: (issue) => `bad state \`${String(issue.input)}\`: running or exited` })
      .default("running")
      .meta({ description: "running (the default) or exited." }),
    "logs-contain": z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Text its logs (docker logs) must contain, e.g. Address already in use." }),
    "container-id": z
      .string()
      .regex(/^[0-9a-f]{12,64}$/, {
        error: (issue) =>
          `bad container-id \`${String(issue.input)}\`: at least 12 hex digits of its id (docker ps shows 12)`,
      })
      .optional()
      .meta({ description: "Its id starts with these hex digits (12 or more): the same container, not re-created." }),
    "joined-running": z.array(networkName).min(1).optional().meta({
      description:
        "Networks it was connected to while it ran (docker network connect), not started on: read from the engine's events since it started.",
    }),
    ...labels,
  })
  .meta({ title: "container", description: "A container's state (running or exited), and what its logs say." });

const commandEntry = z
  .strictObject({
    command: z
      .string()
      .superRefine((value, ctx) => {
        const parsed = parseDockerCreate(value);
        if (!parsed.ok) ctx.addIssue({ code: "custom", message: `bad command \`${value}\`: ${parsed.message}` });
      })
      .meta({
        description:
          "A docker run/create command whose answer the engine gives: created (never started) with --pull never, then removed at once.",
      }),
    warns: z.string().min(1).optional().meta({ description: "Text the engine's warning says (WARNING: …)." }),
    refused: z.string().min(1).optional().meta({ description: "Text the engine's refusal says (its error)." }),
    ...labels,
  })
  .superRefine((entry, ctx) => {
    if ((entry.warns === undefined) === (entry.refused === undefined))
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "give one of `warns` (created, with this warning) or `refused` (not created, with this error)",
      });
  }, whenObject)
  .meta({ title: "command", description: "The engine's answer to a docker command: a warning, or a refusal." });

const pingEntry = z
  .strictObject({
    from: source,
    ping: parsedText(parsePingTarget).meta({
      description:
        "What is pinged (one ICMP echo): a container or service name (its addresses), host, or an IPv4/IPv6 address.",
    }),
    reach: reachValue.optional().meta({
      description: "yes: an echo reply comes back; no: none does (no reply before the deadline, or no route).",
    }),
    ip: ipFamily
      .optional()
      .meta({ description: "With a container name or host: ping its IPv4 (4, the default) or IPv6 (6) address." }),
    ...labels,
  })
  .superRefine((entry, ctx) => {
    if (entry.reach === undefined)
      ctx.addIssue({ code: "custom", path: [], message: "missing `reach`: yes (an echo reply comes back) or no" });
    if (entry.ip !== undefined && entry.ping?.kind === "address")
      ctx.addIssue({
        code: "custom",
        path: ["ip"],
        message: "`ip` with an address: the address says its version already; give ip with a name or host",
      });
  }, whenObject)
  .meta({
    title: "ping",
    description: "Whether `from` gets an ICMP echo reply from a container, the host or an address.",
  });

const httpEntry = z
  .strictObject({
    from: source,
    http: parsedText(parseHttpTarget).meta({
      description:
        "Where one HTTP/1.0 GET goes: NAME:PORT/PATH (service or container), host:PORT/PATH, IPv4:PORT/PATH or [IPv6]:PORT/PATH; the path defaults to /.",
    }),
    status: z
      .number({ error: (issue) => `bad status \`${String(issue.input)}\`: a number from 100 to 599, e.g. 200` })
      .int({ error: (issue) => `bad status \`${String(issue.input)}\`: a number from 100 to 599, e.g. 200` })
      .min(100, { error: (issue) => `bad status \`${String(issue.input)}\`: a number from 100 to 599, e.g. 200` })
      .max(599, { error: (issue) => `bad status \`${String(issue.input)}\`: a number from 100 to 599, e.g. 200` })
      .optional()
      .meta({ description: "The exact status code answered (200 when neither status nor body is given)." }),
    body: z
      .string({ error: (issue) => `bad body \`${String(issue.input)}\`: the text the body contains, as a string` })
      .min(1, { error: "empty body: give the text the body contains, or leave `body` out" })
      .optional()
      .meta({
        description:
          "Text the body contains (within its first 16 KiB); runs of spaces and line breaks count as one space.",
      }),
    ip: ipFamily.optional().meta({
      description: "With a container name or host: send it to its IPv4 (4, the default) or IPv6 (6) address.",
    }),
    ...labels,
  })
  .superRefine((entry, ctx) => {
    const problem =
      entry.ip === undefined || entry.http === undefined ? undefined : ipFamilyProblem(entry.ip, entry.http.to);
    if (problem) ctx.addIssue({ code: "custom", path: ["ip"], message: problem });
  }, whenObject)
  .meta({
    title: "http",
    description: "What a server answers `from` one HTTP GET: its status, and text its body contains.",
  });

/** The shapes an expectation takes, told apart by the key that names the shape (see `entryKind`). */
export const entrySchemas = {
  reach: reachEntry,
  resolve: resolveEntry,
  resolver: resolverEntry,
  publishes: publishesEntry,
  matrix: matrixEntry,
  network: networkEntry,
  "docker-network": dockerNetworkEntry,
  address: addressEntry,
  interfaces: interfacesEntry,
  container: containerEntry,
  fdb: fdbEntry,
  neighbour: neighbourEntry,
  route: routeEntry,
  flows: flowsEntry,
  iptables: iptablesEntry,
  command: commandEntry,
  ping: pingEntry,
  http: httpEntry,
};
export type EntryKind = keyof typeof entrySchemas;

/** Which shape a written expectation means, so errors speak of that shape only. */
export function entryKind(entry: unknown): EntryKind {
  if (typeof entry !== "object" || entry === null) return "reach";
  if ("matrix" in entry) return "matrix";
  if ("ping" in entry) return "ping";
  if ("http" in entry) return "http";
  // Before `address`: a neighbour entry has an address of its own.
  if ("fdb" in entry) return "fdb";
  if ("neighbour" in entry) return "neighbour";
  if ("route" in entry) return "route";
  if ("flows" in entry) return "flows";
  if ("iptables" in entry) return "iptables";
  if ("publishes" in entry || "ports" in entry) return "publishes";
  if ("resolve" in entry) return "resolve";
  if ("resolver" in entry) return "resolver";
  if ("docker-network" in entry) return "docker-network";
  if ("network" in entry) return "network";
  if ("address" in entry) return "address";
  if ("interfaces" in entry) return "interfaces";
  if ("container" in entry) return "container";
  if ("command" in entry) return "command";
  return "reach";
}

export const expectEntrySchema = z.union([
  reachEntry,
  resolveEntry,
  resolverEntry,
  publishesEntry,
  matrixEntry,
  networkEntry,
  dockerNetworkEntry,
  addressEntry,
  interfacesEntry,
  containerEntry,
  fdbEntry,
  neighbourEntry,
  routeEntry,
  flowsEntry,
  iptablesEntry,
  commandEntry,
  pingEntry,
  httpEntry,
]);

export const specSchema = z
  .strictObject({
    version: z
      .union([z.literal(1), z.literal(2)], {
        error: (issue) =>
          issue.input === undefined
            ? "missing `version`: write version: 2"
            : `unsupported version \`${String(issue.input)}\`: this netlab reads versions 1 and 2`,
      })
      .meta({
        description:
          "2: reach no means no path (timed out or unreachable; a refusal proves a path to a closed port and fails). 1: reach no also holds on refused.",
      }),
    compose: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "The compose file (relative to this spec) that `--up` brings up." }),
    stack: z.string().min(1).optional().meta({
      description:
        "A swarm stack file (relative to this spec) that `--up` deploys across `nodes` node engines netlab starts; instead of `compose`.",
    }),
    nodes: z
      .number()
      .superRefine((count, ctx) => {
        if (!Number.isInteger(count))
          ctx.addIssue({
            code: "custom",
            message: `bad node count \`${count}\`: a whole number from 1 to ${MAX_NODES}`,
          });
        else if (count < 1 || count > MAX_NODES)
          ctx.addIssue({ code: "custom", message: `node count ${count} is out of range: 1 to ${MAX_NODES}` });
      })
      .optional()
      .meta({
        type: "integer",
        minimum: 1,
        maximum: MAX_NODES,
        description: `With \`stack\`: how many node engines --up starts for the swarm (1 to ${MAX_NODES}, default 3).`,
      }),
    project: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, {
        error: (issue) => `bad project name \`${String(issue.input)}\`: lowercase letters, digits, - and _`,
      })
      .optional()
      .meta({ description: "The compose project name, or the stack's name with `stack`." }),
    defaults: z
      .strictObject({ within: labels.within })
      .optional()
      .meta({ description: "Defaults for every expectation." }),
    expect: z.array(expectEntrySchema).min(1, { error: "`expect` lists no expectations" }),
  })
  .superRefine((spec, ctx) => {
    if (spec.stack !== undefined && spec.compose !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["stack"],
        message: "`stack` and `compose` together: a spec checks one of them (compose on this engine, a stack on nodes)",
      });
    if (spec.nodes !== undefined && spec.stack === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["nodes"],
        message: "`nodes` without `stack`: only a swarm stack is deployed across node engines",
      });
    if (spec.stack === undefined)
      for (const issue of serviceItemsOutsideStack(spec.expect)) ctx.addIssue({ code: "custom", ...issue });
    else for (const issue of resolverInStack(spec.expect)) ctx.addIssue({ code: "custom", ...issue });
  })
  .meta({
    title: "netlab spec (versions 1 and 2)",
    description:
      "Network expectations netlab checks on running containers: who reaches whom, what resolves, what is published.",
  });

export type SpecData = z.output<typeof specSchema>;
export type SpecEntry = SpecData["expect"][number];
export type MatrixEntry = z.output<typeof matrixEntry>;
export type AddressIn = z.output<typeof addressIn>;
export type InterfacesOf = z.output<typeof interfacesOf>;
export type SeenAs = (typeof SEEN_AS)[number];
export type TableSite = z.output<typeof hostOrNamespace>;
