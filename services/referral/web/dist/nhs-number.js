/**
 * NHS number validation (Modulus 11), as published by NHS Digital and used by the API:
 * multiply digits 1-9 by weights 10 down to 2, sum, check = 11 - (sum mod 11);
 * 11 means 0; 10 means the number can never be valid; compare with digit 10.
 * Spaces (and dashes, as the API accepts) are ignored.
 */
/** The number with spaces and dashes taken out. */
export function normaliseNhsNumber(text) {
    return text.replace(/[\s-]/g, "");
}
/** The Modulus 11 check digit for nine digits, or null when no check digit can make them valid. */
export function nhsCheckDigit(firstNine) {
    if (!/^[0-9]{9}$/.test(firstNine)) {
        throw new RangeError("nhsCheckDigit needs exactly nine digits");
    }
    let total = 0;
    for (let i = 0; i < 9; i += 1) {
        total += Number(firstNine.charAt(i)) * (10 - i);
    }
    const check = 11 - (total % 11);
    if (check === 11)
        return 0;
    if (check === 10)
        return null;
    return check;
}
/**
 * Check what has been typed so far. `complete` is false while the number is merely unfinished
 * (fewer than 10 digits, nothing wrong yet), so the form can show a gentle hint rather than an error.
 */
export function checkNhsNumber(text) {
    const digits = normaliseNhsNumber(text);
    if (digits === "") {
        return { valid: false, digits, reason: "Enter the NHS number (10 digits)", complete: false };
    }
    if (!/^[0-9]+$/.test(digits)) {
        return { valid: false, digits, reason: "An NHS number has only digits (spaces are fine)", complete: true };
    }
    if (digits.length < 10) {
        return { valid: false, digits, reason: `An NHS number has 10 digits (${digits.length} typed)`, complete: false };
    }
    if (digits.length > 10) {
        return { valid: false, digits, reason: `An NHS number has 10 digits (${digits.length} typed)`, complete: true };
    }
    const expected = nhsCheckDigit(digits.slice(0, 9));
    if (expected === null) {
        return { valid: false, digits, reason: "Not a valid NHS number: please check it with the caller", complete: true };
    }
    if (expected !== Number(digits.charAt(9))) {
        return {
            valid: false,
            digits,
            reason: "Not a valid NHS number (the check digit is wrong): please check it with the caller",
            complete: true,
        };
    }
    return { valid: true, digits };
}
export function isValidNhsNumber(text) {
    return checkNhsNumber(text).valid;
}
/** 3-3-4, as NHS numbers are written: "999 000 0018". Anything else comes back as it was. */
export function formatNhsNumber(text) {
    if (text == null)
        return "";
    const digits = normaliseNhsNumber(text);
    if (!/^[0-9]{10}$/.test(digits))
        return text;
    return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}
