import assert from "node:assert/strict";
import { test } from "node:test";

import type { ReferrerNotice } from "../api.js";
import { noticeItem } from "../notices.js";

const SENT: ReferrerNotice = {
  template: "referral-accepted",
  audience: "referrer",
  channel: "sms",
  status: "delivered",
  requested_at: "2026-12-01T09:00:00Z",
  delivered_at: "2026-12-01T09:00:05Z",
  last_error: null,
};

test("a delivered notice says the route, at the time it reached them", () => {
  assert.deepEqual(noticeItem(SENT), { at: "2026-12-01T09:00:05Z", type: "referrer-notice", summary: "Referrer told of the acceptance by SMS" });
});

test("a notice still going, failed for good, or left to the hub's call back says so", () => {
  assert.match(noticeItem({ ...SENT, status: "pending", delivered_at: null }).summary, /^Telling the referrer of the acceptance by SMS/);
  const failed = noticeItem({ ...SENT, template: "referral-rejected", channel: "webhook", status: "failed", last_error: "HTTP 410" });
  assert.equal(failed.summary, "The referrer could not be told of the rejection to the referring system (HTTP 410): call them back");
  assert.match(noticeItem({ ...SENT, audience: "hub", channel: "in-app" }).summary, /^Call the referrer back with the acceptance/);
});
