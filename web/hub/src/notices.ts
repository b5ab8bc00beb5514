/**
 * The referrer's notice of the hub's decision, as a line of the referral's timeline: by which route
 * (the referring system, email, SMS, or the hub's call back), and whether it has reached them.
 */

import type { ReferrerNotice } from "./api.js";
import type { TimelineItem } from "./model.js";

const ROUTES: Readonly<Record<string, string>> = {
  webhook: "to the referring system",
  email: "by email",
  sms: "by SMS",
  letter: "by letter",
};

export function noticeItem(notice: ReferrerNotice): TimelineItem {
  const decision = notice.template === "referral-accepted" ? "acceptance" : "rejection";
  if (notice.audience === "hub") {
    return { at: notice.requested_at, type: "referrer-notice", summary: `Call the referrer back with the ${decision} (no message can reach them)` };
  }
  const route = ROUTES[notice.channel] ?? `by ${notice.channel}`;
  switch (notice.status) {
    case "delivered":
      return { at: notice.delivered_at ?? notice.requested_at, type: "referrer-notice", summary: `Referrer told of the ${decision} ${route}` };
    case "failed":
      return {
        at: notice.requested_at,
        type: "referrer-notice",
        summary: `The referrer could not be told of the ${decision} ${route}${notice.last_error !== null ? ` (${notice.last_error})` : ""}: call them back`,
      };
    case "cancelled":
      return { at: notice.requested_at, type: "referrer-notice", summary: `The referrer's notice of the ${decision} was cancelled` };
    default:
      return { at: notice.requested_at, type: "referrer-notice", summary: `Telling the referrer of the ${decision} ${route}…` };
  }
}
