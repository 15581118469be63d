import { parse } from "shell-quote";
import { bad, ok, type Parsed } from "./parsed.js";

/** `docker run`'s flags that take no value; every other long flag without `=` takes the next word. */
const BOOLEAN_LONG = new Set([
  "--detach",
  "--interactive",
  "--tty",
  "--rm",
  "--init",
  "--privileged",
  "--publish-all",
  "--read-only",
  "--no-healthcheck",
  "--oom-kill-disable",
  "--disable-content-trust",
  "--sig-proxy",
  "--help",
  "--quiet",
  "--use-api-socket",
]);
/** Its one-letter flags without a value (-d -i -t -P -q) and with one (-e VAR, -p 80:80, …). */
const BOOLEAN_SHORT = new Set(["d", "i", "t", "P", "q"]);
const VALUE_SHORT = new Set(["a", "c", "e", "h", "l", "m", "p", "u", "v", "w"]);

/**
 * Flags of `docker run` that `docker create` lacks or that would change what is made: the container is only
 * created and removed at once (-d, -i, -t, --rm, --sig-proxy, --detach-keys), never pulled (--pull), and
 * named by the engine so no container of the user's is in the way (--name).
 */
const DROPPED_LONG = new Set([
  "--detach",
  "--interactive",
  "--tty",
  "--rm",
  "--sig-proxy",
  "--detach-keys",
  "--pull",
  "--name",
]);
const DROPPED_SHORT = new Set(["d", "i", "t"]);

/** A `docker run`/`docker create` command line, split: its options (as `docker create` takes them), image, command. */
export interface DockerCreate {
  options: string[];
  image: string;
  command: string[];
}

/** Splits the options of `docker run` into the ones kept and the image with its command. */
function splitOptions(words: string[]): Parsed<DockerCreate> {
  const options: string[] = [];
  for (let at = 0; at < words.length; at++) {
    const word = words[at]!;
    if (word === "--") {
      const [image, ...command] = words.slice(at + 1);
      return image === undefined ? bad("no image after --") : ok({ options, image, command });
    }
    if (word.startsWith("--")) {
      const name = word.split("=")[0]!;
      const takesNext = !word.includes("=") && !BOOLEAN_LONG.has(name);
      const value = takesNext ? words[++at] : undefined;
      if (takesNext && value === undefined) return bad(`${name} needs a value`);
      if (!DROPPED_LONG.has(name)) options.push(word, ...(value === undefined ? [] : [value]));
      continue;
    }
    if (word.startsWith("-") && word.length > 1) {
      const kept: string[] = [];
      let value: string | undefined;
      for (const [index, letter] of [...word.slice(1)].entries()) {
        if (VALUE_SHORT.has(letter)) {
          value = word.slice(index + 2) || words[++at];
          if (value === undefined) return bad(`-${letter} needs a value`);
          kept.push(letter);
          break;
        }
        if (!DROPPED_SHORT.has(letter)) kept.push(letter);
      }
      if (kept.length > 0) options.push(`-${kept.join("")}`, ...(value === undefined ? [] : [value]));
      continue;
    }
    return ok({ options, image: word, command: words.slice(at + 1) });
  }
  return bad("no image: docker run [OPTIONS] IMAGE [COMMAND]");
}

/**
 * A `docker run …` or `docker create …` line as `docker create` arguments (after `create`): one command, no
 * pipes, redirections or `;`, words split as a POSIX shell splits them ($VAR kept as written).
 */
export function parseDockerCreate(line: string): Parsed<DockerCreate> {
  const words = parse(line, (name) => `$${name}`);
  const operator = words.find((word) => typeof word !== "string" && !("comment" in word));
  if (operator !== undefined)
    return bad(`one docker command only, without shell operators (${JSON.stringify(operator)})`);
  const strings = words.filter((word): word is string => typeof word === "string");
  const [docker, first, second] = strings;
  const sub = first === "container" ? second : first;
  if (docker !== "docker" || (sub !== "run" && sub !== "create"))
    return bad("a docker run or docker create command (netlab only creates it, never runs it)");
  const parsed = splitOptions(strings.slice(first === "container" ? 3 : 2));
  return parsed.ok ? parsed : bad(`bad docker command: ${parsed.message}`);
}

/** The arguments after `docker create`: never pulled, the user's options, image and command. */
export function createArguments(created: DockerCreate): string[] {
  return ["--pull", "never", ...created.options, created.image, ...created.command];
}
