/** The clinician app's sign-in (web/shared/src/auth.ts, as the hub's): back to /app/, its token in this tab only. */

import { SignIn } from "../../shared/dist/auth.js";

export const signIn = new SignIn({
  path: "app",
  keepsFailing: "Signing in keeps failing. What you recorded is kept on this phone.",
});
