import { createArguments, parseDockerCreate } from "../../core/check-file/docker-command.js";
import type { CommandExpectation } from "../../core/check-file/expectations.js";
import type { CommandAnswer, StateJudgement, StateView } from "../state-view.js";
import type { ExpectationKind } from "./kind.js";
import { list } from "./words.js";

/** Lower case, one space between words: engines 25–28 reword and rewrap their messages, the user's words are matched as words. */
function words(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

/** The CLI's `WARNING: …` lines: the engine's create warnings and the CLI's own, as the user sees them. */
function warningsIn(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^WARNING:/i.test(line))
    .map((line) => line.replace(/^WARNING:\s*/i, ""));
}

/** The error the engine (or the CLI) answered with: stderr without its warnings and usage lines. */
function errorIn(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^WARNING:/i.test(line) && !/^See '.*--help'/.test(line));
  return lines.join(" ") || "(no message)";
}

/** The engine's answer judged against the expected warning or refusal; every word it said is kept. */
export function judgeAnswer(expectation: CommandExpectation, answer: CommandAnswer, command: string): StateJudgement {
  const warnings = warningsIn(answer.stderr);
  const refused = answer.exitCode !== 0;
  const detail = refused
    ? `refused (exit ${answer.exitCode ?? "none"}): ${errorIn(answer.stderr)}`
    : `created${warnings.length > 0 ? `, warned: ${warnings.join("; ")}` : " without a warning"}`;
  const noImage = refused && /no such image/i.test(answer.stderr);
  const imageHint = noImage ? "; the image is not on this engine and netlab never pulls: docker pull it first" : "";
  if ("refused" in expectation.answer) {
    const wanted = expectation.answer.refused;
    if (refused && words(answer.stderr).includes(words(wanted))) return { held: true, detail, command };
    return {
      held: false,
      detail,
      command,
      hint: refused
        ? `the engine refused it with other words than "${wanted}"${imageHint}`
        : `the engine accepted it${warnings.length > 0 ? ` with a warning only (${list(warnings)})` : ""}: nothing in it conflicts`,
    };
  }
  const wanted = expectation.answer.warns;
  if (!refused && warnings.some((warning) => words(warning).includes(words(wanted))))
    return { held: true, detail, command };
  return {
    held: false,
    detail,
    command,
    hint: refused
      ? `the engine refused it, so no warning: ${errorIn(answer.stderr)}${imageHint}`
      : `the engine created it without warning "${wanted}"${warnings.length > 0 ? ` (it warned: ${list(warnings)})` : ""}`,
  };
}

async function judge(expectation: CommandExpectation, _targets: unknown, view: StateView): Promise<StateJudgement> {
  const parsed = parseDockerCreate(expectation.command);
  // The schema refused a command it cannot split; this is for an expectation built by hand.
  if (!parsed.ok) return { held: false, detail: parsed.message, command: expectation.command };
  const args = createArguments(parsed.value);
  const answer = await view.createOnce(args);
  // Pasted later it shows the same answer and leaves nothing behind: created, then removed with its id.
  const command = `id=$(docker create ${args.map(quote).join(" ")}) && docker rm -f "$id"`;
  return judgeAnswer(expectation, answer, command);
}

/** A word as a POSIX shell reads it back. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The engine's answer to a docker run/create command: created (never started), then removed at once. */
export const command: ExpectationKind<CommandExpectation> = {
  kind: "command",
  names: () => ({ containers: [], networks: [], namespaces: [] }),
  running: () => [],
  decide: { by: "engine", judge },
  route: () => ({ from: "docker", to: "engine" }),
  expected: (expectation) =>
    "warns" in expectation.answer ? `warns "${expectation.answer.warns}"` : `refused "${expectation.answer.refused}"`,
};
