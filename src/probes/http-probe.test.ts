import { describe, expect, it } from "vitest";
import { BODY_MARK, classifyHttp, httpArgv, httpWords, readHttpResponse } from "./http-probe.js";

// Measured on Docker 20.10 from a probe sidecar to busybox httpd (`httpd -f -p 8080 -h /www`, /www/health
// holding "ok\nline two  spaced\r\n"): as the batch flattens it to one line, and as the command prints it alone.
const FLAT_200 =
  'HTTP/1.1 200 OK Date: Mon, 07 Dec 2026 23:54:18 GMT Connection: close Accept-Ranges: bytes Last-Modified: Mon, 07 Dec 2026 23:44:43 GMT ETag: "6b1744eb-15" Content-Length: 21 -- body -- ok line two spaced';
const FLAT_404 =
  "HTTP/1.1 404 Not Found Date: Mon, 07 Dec 2026 23:54:18 GMT Connection: close Content-type: text/html -- body -- <HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD> <BODY><H1>404 Not Found</H1> The requested URL was not found </BODY></HTML>";
const LINES_404 = [
  "HTTP/1.1 404 Not Found",
  "Date: Mon, 07 Dec 2026 23:53:53 GMT",
  "Connection: close",
  "Content-type: text/html",
  "-- body --",
  "<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>",
  "<BODY><H1>404 Not Found</H1>",
  "The requested URL was not found",
  "</BODY></HTML>",
  "",
].join("\n");
const REFUSED = "nc: can't connect to remote host (172.19.0.2): Connection refused";
const UNREACHABLE = "nc: can't connect to remote host (172.19.0.2): Network is unreachable";

const flat = (exitCode: number, text: string) => ({ exitCode, stdout: text, stderr: text });

describe("readHttpResponse: the status line and the body, flattened or not", () => {
  it("reads a 200 and its body, white space squeezed", () => {
    expect(readHttpResponse(FLAT_200)).toEqual({ status: 200, body: "ok line two spaced" });
  });

  it("reads the same 404 from the batch's one line and from the command's own lines", () => {
    const body =
      "<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD> <BODY><H1>404 Not Found</H1> The requested URL was not found </BODY></HTML>";
    expect(readHttpResponse(FLAT_404)).toEqual({ status: 404, body });
    expect(readHttpResponse(LINES_404)).toEqual({ status: 404, body });
  });

  it("is undefined for what is not HTTP, and a response without a blank line has an empty body", () => {
    expect(readHttpResponse(REFUSED)).toBeUndefined();
    expect(readHttpResponse("SSH-2.0-OpenSSH_9.2")).toBeUndefined();
    expect(readHttpResponse("HTTP/1.0 204 No Content")).toEqual({ status: 204, body: "" });
  });

  it("takes the first mark after the headers: the body may hold the mark's words", () => {
    expect(readHttpResponse(`HTTP/1.0 200 OK\n${BODY_MARK}\nsee ${BODY_MARK} here\n`)?.body).toBe(
      `see ${BODY_MARK} here`,
    );
  });
});

describe("classifyHttp: an answer is connected; a failed connection keeps its outcome", () => {
  it("connected, with the status and the body's start in the detail", () => {
    expect(classifyHttp(flat(0, FLAT_404))).toMatchObject({
      outcome: "connected",
      detail:
        'HTTP 404, body "<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD> <BODY><H1>404 Not Found</H1> The requested URL was not found </BODY></HTML>"',
    });
  });

  it("refused, unreachable and timed out, as nc and timeout said them", () => {
    expect(classifyHttp(flat(1, REFUSED))).toEqual({ outcome: "refused", detail: REFUSED });
    expect(classifyHttp(flat(1, UNREACHABLE))).toEqual({ outcome: "unreachable", detail: UNREACHABLE });
    expect(classifyHttp(flat(143, "Terminated"))).toEqual({
      outcome: "timed-out",
      detail: "no answer before the probe's deadline",
    });
  });

  it("connected but not HTTP, or nothing said", () => {
    expect(classifyHttp(flat(0, "SSH-2.0-OpenSSH_9.2")).detail).toBe(
      'connected, but the answer is not HTTP: "SSH-2.0-OpenSSH_9.2"',
    );
    expect(classifyHttp(flat(0, ""))).toEqual({ outcome: "connected", detail: "connected, no answer" });
  });

  it("a response counts even when cutting a long body short ended nc with SIGPIPE (141)", () => {
    expect(classifyHttp(flat(141, FLAT_200)).outcome).toBe("connected");
  });
});

describe("httpWords: what a report shows of an answer", () => {
  it("keeps 200 characters of the body, control characters and runs of space as one space", () => {
    const body = `a\u0007b\u001b[31m ${"x".repeat(300)}`;
    const words = httpWords({ status: 500, body });
    expect(words).toBe(`HTTP 500, body "a b [31m ${"x".repeat(191)}…"`);
  });
});

describe("httpArgv: one GET over nc, its end of headers kept as words", () => {
  it("is one shell script with double quotes only, so it pastes as one single-quoted word", () => {
    const argv = httpArgv({ address: "10.0.0.2", port: 8080, path: "/health?x=1", host: "api:8080" }, "2");
    expect(argv.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(argv[2]).toBe(
      'set -o pipefail; printf "%b" "GET /health?x=1 HTTP/1.0\\r\\nHost: api:8080\\r\\n\\r\\n" | timeout 2 nc -w 2 10.0.0.2 8080 | head -c 16384 | tr -d "\\r" | sed "1,/^\\$/s/^\\$/-- body --/"',
    );
    expect(argv[2]).not.toContain("'");
  });
});
