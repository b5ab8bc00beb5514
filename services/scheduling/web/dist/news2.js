/**
 * NEWS2, the Royal College of Physicians' National Early Warning Score 2 (2017 chart), on the phone,
 * so the score and its band show at once, with or without signal. The same chart as the server's
 * (libs/events/carerelay_events/news2.py), which scores the observations again when they arrive.
 */
function respiration(rate) {
    if (rate <= 8)
        return 3;
    if (rate <= 11)
        return 1;
    if (rate <= 20)
        return 0;
    if (rate <= 24)
        return 2;
    return 3;
}
function spo2Scale1(spo2) {
    if (spo2 <= 91)
        return 3;
    if (spo2 <= 93)
        return 2;
    if (spo2 <= 95)
        return 1;
    return 0;
}
/** Scale 2 is for confirmed hypercapnic respiratory failure (target 88-92%). */
function spo2Scale2(spo2, onOxygen) {
    if (spo2 <= 83)
        return 3;
    if (spo2 <= 85)
        return 2;
    if (spo2 <= 87)
        return 1;
    if (spo2 <= 92 || !onOxygen)
        return 0;
    if (spo2 <= 94)
        return 1;
    if (spo2 <= 96)
        return 2;
    return 3;
}
function systolic(bp) {
    if (bp <= 90)
        return 3;
    if (bp <= 100)
        return 2;
    if (bp <= 110)
        return 1;
    if (bp <= 219)
        return 0;
    return 3;
}
function pulse(rate) {
    if (rate <= 40)
        return 3;
    if (rate <= 50)
        return 1;
    if (rate <= 90)
        return 0;
    if (rate <= 110)
        return 1;
    if (rate <= 130)
        return 2;
    return 3;
}
function temperature(celsius) {
    const tenths = Math.round(celsius * 10);
    if (tenths <= 350)
        return 3;
    if (tenths <= 360)
        return 1;
    if (tenths <= 380)
        return 0;
    if (tenths <= 390)
        return 1;
    return 2;
}
export function score(o) {
    const parameters = {
        respiration_rate: respiration(o.respiration_rate),
        spo2: o.spo2_scale === 2 ? spo2Scale2(o.spo2_percent, o.on_supplemental_oxygen) : spo2Scale1(o.spo2_percent),
        supplemental_oxygen: o.on_supplemental_oxygen ? 2 : 0,
        systolic_bp: systolic(o.systolic_bp),
        pulse: pulse(o.pulse),
        consciousness: o.consciousness === "A" ? 0 : 3,
        temperature: temperature(o.temperature_celsius),
    };
    const values = Object.values(parameters);
    const total = values.reduce((sum, value) => sum + value, 0);
    let band = "low";
    if (total >= 7)
        band = "high";
    else if (total >= 5)
        band = "medium";
    else if (values.includes(3))
        band = "low-medium";
    return { score: total, band, parameters };
}
/** What the band asks of the clinician (RCP clinical response). */
export const RESPONSE = {
    low: "Low: continue routine care",
    "low-medium": "One parameter scores 3: urgent review by a clinician",
    medium: "Medium: urgent review, tell the hub clinician now",
    high: "High: emergency assessment, call 999",
};
/** What a body can have (the API refuses values outside these, as the event catalogue does). */
export const LIMITS = {
    respiration_rate: { min: 0, max: 80, label: "Respiration rate" },
    spo2_percent: { min: 40, max: 100, label: "SpO2" },
    systolic_bp: { min: 30, max: 300, label: "Systolic blood pressure" },
    pulse: { min: 20, max: 250, label: "Pulse" },
    temperature_celsius: { min: 25, max: 45, label: "Temperature" },
};
/** Observations from the form's text, or the fields that are missing or out of range. */
export function readObservations(entered) {
    const problems = {};
    const numbers = {};
    for (const [field, limit] of Object.entries(LIMITS)) {
        const raw = (entered[field] ?? "").trim();
        const value = Number(raw);
        if (raw === "")
            problems[field] = `Enter ${limit.label.toLowerCase()}`;
        else if (!Number.isFinite(value))
            problems[field] = `${limit.label} must be a number`;
        else if (field !== "temperature_celsius" && !Number.isInteger(value))
            problems[field] = `${limit.label} must be a whole number`;
        else if (value < limit.min || value > limit.max)
            problems[field] = `${limit.label} must be between ${limit.min} and ${limit.max}`;
        else
            numbers[field] = value;
    }
    const consciousness = entered["consciousness"] ?? "";
    if (!["A", "C", "V", "P", "U"].includes(consciousness))
        problems["consciousness"] = "Choose the level of consciousness";
    if (Object.keys(problems).length > 0)
        return { observations: null, problems };
    return {
        observations: {
            respiration_rate: numbers["respiration_rate"] ?? 0,
            spo2_percent: numbers["spo2_percent"] ?? 0,
            spo2_scale: entered["spo2_scale"] === "2" ? 2 : 1,
            on_supplemental_oxygen: entered["on_supplemental_oxygen"] === "yes",
            systolic_bp: numbers["systolic_bp"] ?? 0,
            pulse: numbers["pulse"] ?? 0,
            consciousness: consciousness,
            temperature_celsius: numbers["temperature_celsius"] ?? 0,
        },
        problems,
    };
}
