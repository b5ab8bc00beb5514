import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkNhsNumber, formatNhsNumber, isValidNhsNumber, nhsCheckDigit, normaliseNhsNumber } from "../nhs-number.js";
describe("NHS number (Modulus 11)", () => {
    it("accepts valid numbers, with or without spaces", () => {
        for (const text of ["9434765919", "943 476 5919", " 943 476 5919 ", "9990000018", "999-000-0026", "1000000060"]) {
            assert.equal(isValidNhsNumber(text), true, text);
        }
    });
    it("computes the check digit, 11 meaning 0 and 10 meaning never valid", () => {
        assert.equal(nhsCheckDigit("943476591"), 9);
        assert.equal(nhsCheckDigit("100000006"), 0);
        assert.equal(nhsCheckDigit("100000001"), null);
        assert.equal(nhsCheckDigit("123456789"), null);
    });
    it("refuses a wrong check digit", () => {
        const result = checkNhsNumber("9434765918");
        assert.equal(result.valid, false);
        assert.equal(!result.valid && result.complete, true);
        assert.match(!result.valid ? result.reason : "", /check digit/);
    });
    it("refuses numbers whose check digit would be 10, whatever digit 10 is", () => {
        for (let last = 0; last <= 9; last += 1) {
            assert.equal(isValidNhsNumber(`100000001${last}`), false);
        }
    });
    it("treats a short number as unfinished, not wrong; letters and extra digits as wrong", () => {
        const short = checkNhsNumber("943 476");
        assert.equal(short.valid, false);
        assert.equal(!short.valid && short.complete, false);
        const letters = checkNhsNumber("94347659A9");
        assert.equal(!letters.valid && letters.complete, true);
        const long = checkNhsNumber("94347659199");
        assert.equal(!long.valid && long.complete, true);
        const empty = checkNhsNumber("   ");
        assert.equal(!empty.valid && empty.complete, false);
    });
    it("formats 3-3-4 and normalises", () => {
        assert.equal(formatNhsNumber("9434765919"), "943 476 5919");
        assert.equal(formatNhsNumber("943-476-5919"), "943 476 5919");
        assert.equal(formatNhsNumber("12345"), "12345");
        assert.equal(formatNhsNumber(null), "");
        assert.equal(normaliseNhsNumber(" 943 476-5919 "), "9434765919");
    });
});
