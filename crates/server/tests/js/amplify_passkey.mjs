// Amplify v6 passkeys in headless Chromium with a virtual authenticator (the CDP WebAuthn
// domain): the app (bundled with esbuild into APP_DIR, served by the test) signs in with SRP,
// registers a passkey with associateWebAuthnCredential, lists it, signs in with it through
// USER_AUTH (preferred WEB_AUTHN, then chosen from the first-factor selection), and deletes it.
// Prints one JSON line: {"steps":[...], ...} or with "error". Input from the environment:
// APP_DIR, APP (the app's origin), ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD.
import { launchChromium } from "./chromium.mjs";
import * as esbuild from "esbuild";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const env = process.env;
const entry = join(env.APP_DIR, "entry.mjs");
writeFileSync(
  entry,
  `import { Amplify } from "aws-amplify";
import * as auth from "aws-amplify/auth";
window.amplify = { Amplify, auth };`,
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
      userPoolEndpoint: env.ENDPOINT,
    },
  },
};
writeFileSync(
  join(env.APP_DIR, "index.html"),
  `<!doctype html><title>app</title><script src="/app.js"></script>
<script>window.amplify.Amplify.configure(${JSON.stringify(config)});</script>`,
);

const browser = await launchChromium();
let out = {};
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto(`${env.APP}/`);
  out = await page.evaluate(
    async ({ username, password }) => {
      const a = window.amplify.auth;
      const steps = [];
      const result = {};
      const step = (r) => steps.push(r.nextStep.signInStep);
      const signedInAs = async () => {
        const { tokens } = await a.fetchAuthSession();
        steps.push(`user:${tokens.accessToken.payload.username}`);
      };
      try {
        step(
          await a.signIn({
            username,
            password,
            options: { authFlowType: "USER_AUTH", preferredChallenge: "PASSWORD_SRP" },
          }),
        );
        await a.associateWebAuthnCredential();
        const listed = await a.listWebAuthnCredentials();
        result.listed = listed.credentials.map((c) => ({
          relyingPartyId: c.relyingPartyId,
          friendlyCredentialName: c.friendlyCredentialName,
          authenticatorAttachment: c.authenticatorAttachment ?? null,
          created: c.createdAt instanceof Date,
        }));
        await a.signOut();

        step(
          await a.signIn({
            username,
            options: { authFlowType: "USER_AUTH", preferredChallenge: "WEB_AUTHN" },
          }),
        );
        await signedInAs();
        await a.signOut();

        const choice = await a.signIn({ username, options: { authFlowType: "USER_AUTH" } });
        step(choice);
        steps.push(`available:${choice.nextStep.availableChallenges.join(",")}`);
        step(await a.confirmSignIn({ challengeResponse: "WEB_AUTHN" }));
        await signedInAs();

        await a.deleteWebAuthnCredential({ credentialId: listed.credentials[0].credentialId });
        result.left = (await a.listWebAuthnCredentials()).credentials.length;
      } catch (e) {
        result.error = `${e.name}: ${e.message}`;
      }
      return { steps, ...result };
    },
    { username: env.USERNAME, password: env.PASSWORD },
  );
} catch (e) {
  out.error = String(e.stack ?? e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
