import { describe, expect, it } from "vitest";
import { check, CLIENT, failingDemo } from "./fixtures/sample-facts.js";
import { junitXml, xmlText, type JunitSuite } from "./junit-writer.js";
import { lessonOf } from "../core/lesson/lesson.js";

const lab = failingDemo().labs[0]!;
const suite: JunitSuite = {
  name: lab.lab,
  file: lab.file,
  durationMs: lab.durationMs,
  errors: [],
  checks: lab.checks,
  lab,
};
const xml = junitXml([suite], { timestamp: "2023-11-14T22:13:19.000Z" });
const testcase = (claim: string, text = xml) =>
  new RegExp(`<testcase name="${claim} [^"]*"[\\s\\S]*?(</testcase>|/>)`).exec(text)?.[0] ?? "";

describe("junit.xml", () => {
  it("has one testsuite per file with its counts, and one testcase per claim named with its id", () => {
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="netlab" tests="3" failures="1" errors="0" skipped="1" time="2\.100">/,
    );
    expect(xml).toContain(
      '<testsuite name="demo" file="labs/demo.lab.test.ts" tests="3" failures="1" errors="0" skipped="1" time="2.100" timestamp="2023-11-14T22:13:19.000Z">',
    );
    expect([...xml.matchAll(/<testcase name="(\w+) /g)].map((match) => match[1])).toEqual(["D1", "D2", "D3"]);
  });

  it("puts what was observed, each probe's command and commands to look by hand in a failure", () => {
    const failed = testcase("D2");
    expect(failed).toContain(
      '<testcase name="D2 the sentinel | is out of reach" classname="demo" file="labs/demo.lab.test.ts" time="0.040">',
    );
    expect(failed).toMatch(/<failure message="expected outcome timed-out: tcp probe from [^"]+" type="D2 failed">/);
    expect(failed).toContain("Observed:\n  routes:\n    - destination: default, via: 172.17.0.1");
    expect(failed).toContain(`✗ tcp ${CLIENT} → 198.18.0.2:80: connected (expected timed-out)`);
    expect(failed).toContain(`$ docker exec ${CLIENT} timeout 3 nc 198.18.0.2 80`);
    expect(failed).toContain(`$ docker exec ${CLIENT} ip -o addr`);
    expect(failed).toContain(`$ docker inspect ${CLIENT}`);
    expect(failed).toContain("Assumed:\n  the engine masquerades");
  });

  it("marks skips with their reason and keeps passing claims' observations in system-out", () => {
    expect(testcase("D3")).toContain('<skipped message="kernel lacks ipvlan"/>');
    expect(testcase("D1")).toMatch(/<system-out>Observed:\n {2}address: 172\.17\.0\.3/);
  });

  it("keeps a retried claim's attempts: flakyFailure when it passed in the end, rerunFailure when it did not", () => {
    const attempts = [
      { attempt: 1, observed: {}, probes: [], assumptions: [], errors: ["expected outcome connected: was refused"] },
    ];
    const flaky = junitXml([{ ...suite, checks: [check({ claim: "R1", title: "R1 retried", retries: 1, attempts })] }]);
    expect(testcase("R1", flaky)).toContain(
      '<flakyFailure message="expected outcome connected: was refused" type="R1 attempt 1">attempt 1 of 2',
    );
    const failed = junitXml([
      {
        ...suite,
        checks: [
          check({ claim: "R1", title: "R1 retried", state: "failed", errors: ["still refused"], retries: 1, attempts }),
        ],
      },
    ]);
    expect(testcase("R1", failed)).toContain('<rerunFailure message="expected outcome connected: was refused"');
    expect(testcase("R1", failed)).toContain('<failure message="still refused"');
  });

  it("reports a lab's setup error as an errored testcase", () => {
    const broken = junitXml([{ ...suite, checks: [], errors: ["container did not start: no such image"] }]);
    expect(broken).toContain('tests="1" failures="0" errors="1"');
    expect(broken).toContain('<error message="container did not start: no such image" type="lab error">');
  });

  it("gives a suite whose name has dots (a spec's path) one classname Jenkins does not split, and keeps its file", () => {
    const checked = junitXml([
      {
        ...suite,
        name: "check examples/shop/netlab.yaml",
        file: "examples/shop/netlab.yaml",
        checks: [check({ claim: "web-api", title: "web-api web reaches api:9000" })],
        errors: ["compose up failed"],
      },
    ]);
    // Jenkins reads a classname as package.class, cut at its last dot: "netlab" / "yaml" would be two levels.
    const classnames = [...checked.matchAll(/classname="([^"]*)"/g)].map((match) => match[1]);
    expect(classnames).toEqual(["check examples/shop/netlab_yaml", "check examples/shop/netlab_yaml"]);
    expect(checked).toContain('file="examples/shop/netlab.yaml"');
    expect(checked).toContain('<testsuite name="check examples/shop/netlab.yaml"');
    // A check's words: an error outside any expectation, of the spec.
    expect(checked).toContain('name="check examples/shop/netlab.yaml: outside any expectation (setup or teardown)"');
    expect(checked).toContain('type="spec error"');
    expect(checked).not.toMatch(/\b(lab|claim)\b/);
    // Control: a lab's name, with no dot, is its classname as it is.
    expect(testcase("D1")).toContain('classname="demo"');
  });

  it("escapes markup and drops terminal colours and characters XML cannot hold", () => {
    expect(xmlText("\u001b[31ma < b & c > d\u0000\u001b[39m")).toBe("a &lt; b &amp; c &gt; d");
    const quoted = junitXml([
      {
        ...suite,
        checks: [check({ claim: "Q1", title: 'Q1 says "hi"\nand more', state: "failed", errors: ['"x"\ny'] })],
      },
    ]);
    expect(quoted).toContain('<testcase name="Q1 says &quot;hi&quot;&#10;and more"');
    expect(quoted).toContain('<failure message="&quot;x&quot;" type="Q1 failed">"x"\ny\n');
  });
});

describe("junit.xml teaches", () => {
  const whole = (claim: string, text: string) =>
    new RegExp(`<testcase name="${claim} [^"]*"[\\s\\S]*?</testcase>`).exec(text)?.[0] ?? "";
  const taught = junitXml([
    {
      ...suite,
      name: "macvlan",
      checks: [
        check({ claim: "M3a", title: "M3a ipvlan l2", state: "skipped", skipReason: "the kernel refused ipvlan l2" }),
        check({ claim: "M1", title: "M1 own MAC" }),
      ],
    },
  ]);

  it("gives each claim its lesson as testcase properties and in its output", () => {
    const lesson = lessonOf("macvlan", "M1")!;
    expect(whole("M1", taught)).toContain(
      `<property name="why" value="${xmlText(lesson.why).replaceAll('"', "&quot;")}"/>`,
    );
    expect(whole("M1", taught)).toContain(`<property name="docs" value="${lesson.docs}"/>`);
    expect(whole("M1", taught)).toMatch(/<system-out>[\s\S]*Why: [\s\S]*Docs: https:\/\/docs\.docker\.com/);
  });

  it("gives no lesson to a checked spec's expectation that shares a claim's id", () => {
    const checked = junitXml([
      { ...suite, name: "check netlab.yaml", checks: [check({ claim: "B1", title: "B1 web reaches db" })] },
    ]);
    expect(whole("B1", checked)).not.toContain('<property name="why"');
    expect(whole("B1", checked)).not.toContain("Why: ");
    // Control: the same id in the bridge lab's suite is taught.
    expect(
      whole("B1", junitXml([{ ...suite, name: "bridge", checks: [check({ claim: "B1", title: "B1 networks" })] }])),
    ).toContain('<property name="why"');
  });

  it("says in a skip what would make it run", () => {
    expect(whole("M3a", taught)).toContain(
      `<skipped message="the kernel refused ipvlan l2; to run it: ${xmlText(lessonOf("macvlan", "M3a")!.toRun!).replaceAll('"', "&quot;")}"/>`,
    );
    expect(whole("M3a", taught)).toContain('<property name="toRun"');
  });
});
