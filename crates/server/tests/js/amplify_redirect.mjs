// Amplify v6 signInWithRedirect in headless Chromium against Ironpool's HTTPS listener: the
// app (bundled with esbuild into APP_DIR, served by the test) sends the user to the domain's
// /oauth2/authorize, the user signs in on the managed login page, and Amplify redeems the code
// at the token endpoint (a cross-origin fetch) and holds the session. Prints one JSON line.
// Input from the environment: APP_DIR, APP (the app's URL), DOMAIN (host:port), POOL_ID,
// CLIENT_ID, USERNAME, PASSWORD.
import { launchChromium } from "./chromium.mjs";
import * as esbuild from "esbuild";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const env = process.env;
const entry = join(env.APP_DIR, "entry.mjs");
writeFileSync(
  entry,
  `import { Amplify } from "aws-amplify";
import { signInWithRedirect, fetchAuthSession, getCurrentUser } from "aws-amplify/auth";
import "aws-amplify/auth/enable-oauth-listener";
window.amplify = { Amplify, signInWithRedirect, fetchAuthSession, getCurrentUser };`,
);
await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  format: "iife",
  outfile: join(env.APP_DIR, "app.js"),
  nodePaths: [join(process.cwd(), "node_modules")],
  logLevel: "error",
});
const config = {
  Auth: {
    Cognito: {
      userPoolId: env.POOL_ID,
      userPoolClientId: env.CLIENT_ID,
      loginWith: {
        oauth: {
          domain: env.DOMAIN,
          scopes: ["openid", "email"],
          redirectSignIn: [`${env.APP}/`],
          redirectSignOut: [`${env.APP}/`],
          responseType: "code",
        },
      },
    },
  },
};
writeFileSync(
  join(env.APP_DIR, "index.html"),
  `<!doctype html><title>app</title><script src="/app.js"></script>
<script>window.amplify.Amplify.configure(${JSON.stringify(config)});</script>`,
);

const browser = await launchChromium();
const out = {};
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${env.APP}/`);
  await Promise.all([
    page.waitForURL((url) => url.pathname.endsWith("/login")),
    page.evaluate(() => window.amplify.signInWithRedirect()),
  ]);
  out.loginUrl = page.url();
  await page.getByLabel("Username").fill(env.USERNAME);
  await page.getByLabel("Password").fill(env.PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.href.startsWith(`${env.APP}/`));
  // Amplify redeems the code in the page; its session is ready when getCurrentUser answers.
  out.user = await page.evaluate(async () => {
    for (let i = 0; i < 100; i++) {
      try {
        const user = await window.amplify.getCurrentUser();
        return user.username;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return null;
  });
  out.idToken = await page.evaluate(async () =>
    (await window.amplify.fetchAuthSession()).tokens?.idToken?.toString() ?? null,
  );
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
