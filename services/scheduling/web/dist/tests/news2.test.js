import assert from "node:assert/strict";
import { test } from "node:test";
import { readObservations, score } from "../news2.js";
const NORMAL = {
    respiration_rate: 16,
    spo2_percent: 97,
    spo2_scale: 1,
    on_supplemental_oxygen: false,
    systolic_bp: 130,
    pulse: 70,
    consciousness: "A",
    temperature_celsius: 37.0,
};
function only(change, parameter) {
    const news2 = score({ ...NORMAL, ...change });
    for (const [name, value] of Object.entries(news2.parameters))
        if (name !== parameter)
            assert.equal(value, 0, name);
    assert.equal(news2.score, news2.parameters[parameter]);
    return news2.score;
}
test("a well adult at rest scores 0, low", () => {
    const news2 = score(NORMAL);
    assert.equal(news2.score, 0);
    assert.equal(news2.band, "low");
});
test("respiration rate bands (<=8:3, 9-11:1, 12-20:0, 21-24:2, >=25:3)", () => {
    for (const [rate, expected] of [[8, 3], [9, 1], [11, 1], [12, 0], [20, 0], [21, 2], [24, 2], [25, 3]]) {
        assert.equal(only({ respiration_rate: rate }, "respiration_rate"), expected, `rate ${rate}`);
    }
});
test("SpO2 scale 1 bands (<=91:3, 92-93:2, 94-95:1, >=96:0)", () => {
    for (const [spo2, expected] of [[91, 3], [92, 2], [93, 2], [94, 1], [95, 1], [96, 0]]) {
        assert.equal(only({ spo2_percent: spo2 }, "spo2"), expected, `spo2 ${spo2}`);
    }
});
test("SpO2 scale 2: 88-92 scores 0, and above 92 scores only on oxygen", () => {
    const scale2 = (spo2, oxygen) => score({ ...NORMAL, spo2_scale: 2, spo2_percent: spo2, on_supplemental_oxygen: oxygen }).parameters["spo2"] ?? -1;
    assert.deepEqual([83, 84, 85, 86, 87, 88, 92].map((s) => scale2(s, false)), [3, 2, 2, 1, 1, 0, 0]);
    assert.deepEqual([93, 94, 95, 96, 97].map((s) => scale2(s, true)), [1, 1, 2, 2, 3]);
    assert.deepEqual([93, 97].map((s) => scale2(s, false)), [0, 0]);
});
test("supplemental oxygen scores 2", () => {
    assert.equal(score({ ...NORMAL, on_supplemental_oxygen: true }).parameters["supplemental_oxygen"], 2);
});
test("systolic bands (<=90:3, 91-100:2, 101-110:1, 111-219:0, >=220:3)", () => {
    for (const [bp, expected] of [[90, 3], [91, 2], [100, 2], [101, 1], [110, 1], [111, 0], [219, 0], [220, 3]]) {
        assert.equal(only({ systolic_bp: bp }, "systolic_bp"), expected, `bp ${bp}`);
    }
});
test("pulse bands (<=40:3, 41-50:1, 51-90:0, 91-110:1, 111-130:2, >=131:3)", () => {
    for (const [p, expected] of [[40, 3], [41, 1], [50, 1], [51, 0], [90, 0], [91, 1], [110, 1], [111, 2], [130, 2], [131, 3]]) {
        assert.equal(only({ pulse: p }, "pulse"), expected, `pulse ${p}`);
    }
});
test("consciousness: anything but Alert scores 3", () => {
    for (const level of ["C", "V", "P", "U"])
        assert.equal(only({ consciousness: level }, "consciousness"), 3);
});
test("temperature bands (<=35.0:3, 35.1-36.0:1, 36.1-38.0:0, 38.1-39.0:1, >=39.1:2)", () => {
    for (const [t, expected] of [[35.0, 3], [35.1, 1], [36.0, 1], [36.1, 0], [38.0, 0], [38.1, 1], [39.0, 1], [39.1, 2]]) {
        assert.equal(only({ temperature_celsius: t }, "temperature"), expected, `temperature ${t}`);
    }
});
test("bands: a single 3 is low-medium, 5-6 medium, 7+ high", () => {
    assert.equal(score({ ...NORMAL, consciousness: "C" }).band, "low-medium");
    assert.equal(score({ ...NORMAL, respiration_rate: 22, spo2_percent: 94, pulse: 112, temperature_celsius: 38.5 }).score, 6);
    assert.equal(score({ ...NORMAL, respiration_rate: 22, spo2_percent: 94, pulse: 112, temperature_celsius: 38.5 }).band, "medium");
    assert.equal(score({ ...NORMAL, respiration_rate: 26, systolic_bp: 88, pulse: 135 }).band, "high");
});
test("the form's text is read, and missing or impossible values are named", () => {
    const ok = readObservations({
        respiration_rate: "22",
        spo2_percent: "94",
        systolic_bp: "128",
        pulse: "112",
        temperature_celsius: "38.5",
        consciousness: "A",
        on_supplemental_oxygen: "no",
        spo2_scale: "1",
    });
    assert.notEqual(ok.observations, null);
    assert.equal(score(ok.observations ?? NORMAL).score, 6);
    const bad = readObservations({ respiration_rate: "", spo2_percent: "140", systolic_bp: "12x", pulse: "70.5", temperature_celsius: "37", consciousness: "" });
    assert.equal(bad.observations, null);
    assert.deepEqual(Object.keys(bad.problems).sort(), ["consciousness", "pulse", "respiration_rate", "spo2_percent", "systolic_bp"]);
});
