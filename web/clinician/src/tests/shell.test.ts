import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

// dist/tests/shell.test.js -> the app's folder (web/clinician) and web/shared beside it
const root = new URL("../../", import.meta.url);
const shared = new URL("../shared/", root);

/** The files sw.js keeps for offline use, as written in it ("./dist/app.js", "../shared/dist/live.js"). */
function kept(): string[] {
  const sw = readFileSync(new URL("sw.js", root), "utf8");
  const list = /const SHELL = \[([^\]]*)\]/.exec(sw);
  assert.ok(list !== null, "sw.js has no SHELL list");
  return Array.from((list[1] ?? "").matchAll(/"([^"]+)"/g), (match) => match[1] ?? "");
}

test("the service worker keeps every module of the app, so it opens without signal", () => {
  const shell = kept();
  const modules = readdirSync(new URL("dist/", root)).filter((name) => name.endsWith(".js"));
  for (const name of modules) assert.ok(shell.includes(`./dist/${name}`), `sw.js does not keep dist/${name}`);
});

test("the service worker keeps the shared modules the app imports, from where they are served", () => {
  const shell = kept();
  const modules = readdirSync(new URL("dist/", shared)).filter((name) => name.endsWith(".js"));
  assert.ok(modules.includes("live.js"), "web/shared is not built");
  for (const name of modules) assert.ok(shell.includes(`../shared/dist/${name}`), `sw.js does not keep ../shared/dist/${name}`);
});

test("every file the service worker keeps is there (one missing file fails the whole install)", () => {
  for (const path of kept()) {
    const file = new URL(path === "./" ? "index.html" : path, root);
    assert.ok(existsSync(file), `sw.js keeps ${path}, which is not built or not there`);
  }
});

test("the page has no inline script or style (the strict CSP)", () => {
  const html = readFileSync(new URL("index.html", root), "utf8");
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /\sstyle=/);
  assert.doesNotMatch(html, /<style/);
});
