import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
// dist/tests/shell.test.js -> the app's folder
const root = new URL("../../", import.meta.url);
test("the service worker keeps every module of the app, so it opens without signal", () => {
    const sw = readFileSync(new URL("sw.js", root), "utf8");
    const modules = readdirSync(new URL("dist/", root)).filter((name) => name.endsWith(".js"));
    for (const name of modules)
        assert.ok(sw.includes(`"./dist/${name}"`), `sw.js does not keep dist/${name}`);
});
test("the page has no inline script or style (the strict CSP)", () => {
    const html = readFileSync(new URL("index.html", root), "utf8");
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /\sstyle=/);
    assert.doesNotMatch(html, /<style/);
});
