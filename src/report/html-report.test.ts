import { describe, expect, it } from "vitest";
import { declareDataFirst, externalReferences, isLocalUrl, stripExternalScripts } from "./html-report.js";

const ALLURE_TAIL = `<script src="app-b3323b2606f19801ef1b.js"></script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', { "report": "awesome" });
    </script>
    <script async>
        window.allureReportDataReady = true;
    </script>`;

describe("offline HTML report", () => {
  it("takes out a tag manager's script tags and keeps the report's own scripts", () => {
    const { html, removed } = stripExternalScripts(ALLURE_TAIL);
    expect(removed).toHaveLength(2);
    expect(html).not.toMatch(/googletagmanager|gtag\(/);
    expect(html).toContain('<script src="app-b3323b2606f19801ef1b.js"></script>');
    expect(html).toContain("window.allureReportDataReady = true;");
  });

  it("finds any reference that would load from another host", () => {
    const page = `<link rel="stylesheet" href="https://fonts.example.net/x.css"><img src="//cdn.example.org/a.png">
      <style>@import url("https://fonts.example.net/y.css"); .a { background: url(http://img.example.com/b.png) }</style>
      <script src="./local.js"></script><img src="data:image/png;base64,AAAA"><a href="https://allurereport.org">a link is no load</a>`;
    expect(externalReferences(page)).toEqual([
      "//cdn.example.org/a.png",
      "https://fonts.example.net/x.css",
      "https://fonts.example.net/y.css",
      "http://img.example.com/b.png",
    ]);
    expect(externalReferences(stripExternalScripts(ALLURE_TAIL).html)).toEqual([]);
  });

  it("counts loopback, files, data and relative paths as this machine, and nothing else", () => {
    for (const url of [
      "http://127.0.0.1:8080/x",
      "http://localhost/",
      "file:///tmp/a",
      "data:text/plain,x",
      "blob:null/1",
      "app.js",
      "/x",
    ])
      expect(isLocalUrl(url), url).toBe(true);
    for (const url of [
      "https://www.googletagmanager.com/gtag/js",
      "//cdn.example.org/a",
      "http://127.0.0.2/",
      "http://10.0.0.1/",
    ])
      expect(isLocalUrl(url), url).toBe(false);
  });

  it("declares the report's data before its app runs, once, so no load asks the server for a file", () => {
    const page = `<html><head><meta charset="utf-8"></head><body>${ALLURE_TAIL}</body></html>`;
    const declared = declareDataFirst(page);
    expect(declared).toMatch(
      /^<html><head><script>window\.allureReportData = window\.allureReportData \|\| \{\};<\/script><meta/,
    );
    expect(declareDataFirst(declared)).toBe(declared);
    // A page that is not the single-file report is left as it is.
    expect(declareDataFirst("<html><head></head><body>plain</body></html>")).toBe(
      "<html><head></head><body>plain</body></html>",
    );
  });
});
