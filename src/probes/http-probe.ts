import type { ExecOutput, Outcome } from "../core/outcome.js";
import { classifyConnect } from "./classify.js";

/** The line the probe writes where the response's headers end (its first empty line), so a flattened answer keeps the split. */
export const BODY_MARK = "-- body --";

/** How much of a response the probe reads: `body:` is looked for in the first 16 KiB of it. */
export const HTTP_READ_BYTES = 16384;

/** One GET: where it goes, and the Host header it carries (`api:8080`, as curl sends it). */
export interface HttpRequest {
  address: string;
  port: number;
  path: string;
  host: string;
}

/**
 * One HTTP/1.0 GET over busybox `nc` (its `wget` segfaults), bounded like a connect (`timeout`, `nc -w`). CRs
 * are dropped and the first empty line becomes BODY_MARK: the batch flattens output to one line, so the end of
 * the headers must be written as words. `pipefail` keeps nc's exit code (a refusal, a time-out) as the script's.
 * Only double quotes inside: the script is one single-quoted word when pasted.
 */
export function httpArgv(request: HttpRequest, seconds: string): string[] {
  const { address, port, path, host } = request;
  const get = `GET ${path} HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n`;
  return [
    "sh",
    "-c",
    [
      "set -o pipefail;",
      `printf "%b" "${get}"`,
      `| timeout ${seconds} nc -w ${seconds} ${address} ${port}`,
      `| head -c ${HTTP_READ_BYTES}`,
      '| tr -d "\\r"',
      `| sed "1,/^\\$/s/^\\$/${BODY_MARK}/"`,
    ].join(" "),
  ];
}

/** An HTTP response's status and body; the body's runs of white space read as one space. */
export interface HttpResponse {
  status: number;
  body: string;
}

/** Runs of white space as one space: a batch flattens lines, so a body compares the same either way. */
export function squeezed(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The status line and body of what the probe printed (its own lines, or flattened by a batch); undefined if not HTTP. */
export function readHttpResponse(text: string): HttpResponse | undefined {
  const status = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})\b/.exec(text);
  if (!status) return undefined;
  const mark = text.indexOf(BODY_MARK, status[0].length);
  return { status: Number(status[1]), body: mark < 0 ? "" : squeezed(text.slice(mark + BODY_MARK.length)) };
}

const SHOWN_BODY = 200;

/** `HTTP 404, body "<html>…"`: the status and the first 200 characters of the body, control characters removed. */
export function httpWords(response: HttpResponse): string {
  const clean = squeezed(response.body.replace(/[\u0000-\u001f\u007f-\u009f]/g, " "));
  const shown = clean.length > SHOWN_BODY ? `${clean.slice(0, SHOWN_BODY)}…` : clean;
  return `HTTP ${response.status}, body ${JSON.stringify(shown)}`;
}

/**
 * What a GET saw: a response (connected, with its status and body in the detail, and the text kept as the reply
 * for judging), a connection that gave no HTTP answer, or the connect's own failure (refused, timed out, …).
 */
export function classifyHttp(output: ExecOutput): { outcome: Outcome; detail: string; reply?: string } {
  // A batch gives its one flattened line as both stdout and stderr.
  const text = output.stdout === output.stderr ? output.stdout : `${output.stdout}\n${output.stderr}`;
  const response = readHttpResponse(output.stdout);
  // A response counts whatever the exit code: the probe may cut a long body short (head), ending nc early.
  if (response) return { outcome: "connected", detail: httpWords(response), reply: output.stdout.trim() };
  const { outcome, detail } = classifyConnect(output);
  // busybox timeout's "Terminated" says only that the deadline ended the probe.
  if (outcome === "timed-out") return { outcome, detail: "no answer before the probe's deadline" };
  if (outcome !== "connected") return { outcome, detail };
  const said = squeezed(text).slice(0, SHOWN_BODY);
  return {
    outcome,
    detail: said ? `connected, but the answer is not HTTP: ${JSON.stringify(said)}` : "connected, no answer",
  };
}
