/** The hub's sign-in (web/shared/src/auth.ts): back to /hub/, its token in this tab only. */

import { SignIn } from "../../shared/dist/auth.js";

export const signIn = new SignIn({
  path: "hub",
  keepsFailing: "Signing in keeps failing: the hub did not accept the sign-in. Your draft is kept.",
});
