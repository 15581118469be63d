import { tableSiteText, type IptablesExpectation } from "../../core/check-file/expectations.js";
import { readChain, tableCommands } from "../../probes/netns-tables.js";
import type { StateJudgement } from "../state-view.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

const READ_TIMEOUT_MS = 5000;

/** One word as iptables prints it back: a host address gains /32, a probability its eleven decimals. */
function sameWord(printed: string, written: string): boolean {
  if (printed === written || printed === `${written}/32`) return true;
  const [a, b] = [Number(printed), Number(written)];
  return printed !== "" && written !== "" && Number.isFinite(a) && Number.isFinite(b) && a === b;
}

/** Whether `rule`'s words appear in `line` in order, other words (iptables' own -m tcp, comments) between them allowed. */
export function hasWords(line: string, rule: string): boolean {
  const printed = line.trim().split(/\s+/);
  let at = 0;
  for (const word of rule.trim().split(/\s+/)) {
    while (at < printed.length && !sameWord(printed[at]!, word)) at++;
    if (at === printed.length) return false;
    at++;
  }
  return true;
}

/** How the learner adds the rule: on the host first in its chain (DOCKER-USER ends with a RETURN on older engines). */
function addCommand({ namespace, table, chain, rule }: IptablesExpectation): string {
  return namespace === undefined
    ? `iptables -t ${table} -I ${chain} ${rule}`
    : `ip netns exec ${namespace} iptables -t ${table} -A ${chain} ${rule}`;
}

/** The rule judged against a chain as `iptables -S CHAIN` printed it (undefined: no such chain). */
export function judgeChain(expectation: IptablesExpectation, lines: string[] | undefined): StateJudgement {
  const { namespace, table, chain, rule } = expectation;
  const command = tableCommands.rules(namespace, table, chain).join(" ");
  const add = addCommand(expectation);
  const where = namespace === undefined ? "the host" : tableSiteText(expectation.namespace);
  if (lines === undefined)
    return {
      held: false,
      detail: `no chain ${chain} in the ${table} table`,
      command,
      hint:
        namespace === undefined && chain === "DOCKER-USER"
          ? `the host has no DOCKER-USER chain: the engine makes it when it manages iptables (dockerd --iptables=false makes none); then: ${add}`
          : `${where} has no chain ${chain} in its ${table} table: make it (iptables -t ${table} -N ${chain}), jump to it, then: ${add}`,
    };
  const rules = lines.filter((line) => line.startsWith("-A "));
  const detail = `${chain}: ${list(rules)}`;
  if (rules.some((line) => hasWords(line, rule))) return { held: true, detail, command };
  return {
    held: false,
    detail,
    command,
    hint: `no rule of ${where}'s ${chain} has ${rule}: ${add}`,
  };
}

/** A rule of a chain of the host's iptables (DOCKER-USER, nat DOCKER) or of a named namespace's (kube-proxy's, a node's). */
export const iptables: ExpectationKind<IptablesExpectation> = {
  kind: "iptables",
  names: (expectation) => ({
    containers: [],
    networks: [],
    namespaces: expectation.namespace === undefined ? [] : [expectation.namespace],
  }),
  running: () => [],
  thisMachine: (expectation) => expectation.namespace === undefined,
  decide: {
    by: "engine",
    judge: async (expectation) =>
      judgeChain(
        expectation,
        await readChain(expectation.namespace, expectation.table, expectation.chain, READ_TIMEOUT_MS),
      ),
  },
  route: (expectation) => ({
    from: tableSiteText(expectation.namespace),
    to: `${expectation.table} ${expectation.chain}`,
  }),
  expected: (expectation) => `a rule with ${expectation.rule}`,
};
