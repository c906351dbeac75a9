// Walks the managed login pages in headless Chromium (Playwright, Debian's chromium): sign up,
// confirm with the code from the outbox, sign in with the keyboard, set up an authenticator
// app from the MFA page, come back to the app with a code and redeem it; then the SSO session
// skips the form, and sign-out ends it. Prints one JSON line.
// Input from the environment: ENDPOINT, BASE (the domain's endpoints), POOL_ID, CLIENT_ID,
// CALLBACK, LOGOUT, PASSWORD, SCREENSHOT.
import { launchChromium } from "./chromium.mjs";
import * as OTPAuth from "otpauth";

const env = process.env;
const browser = await launchChromium();
const out = {};
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const authorize = (state) =>
    `${env.BASE}/oauth2/authorize?` +
    new URLSearchParams({
      response_type: "code",
      client_id: env.CLIENT_ID,
      redirect_uri: env.CALLBACK,
      scope: "openid email",
      state,
    });

  await page.goto(authorize("one"));
  out.signInTitle = await page.title();
  await page.screenshot({ path: env.SCREENSHOT, fullPage: true });

  await page.getByRole("link", { name: "Sign up" }).click();
  await page.getByLabel("Username").fill("walker");
  await page.getByLabel("Password").fill(env.PASSWORD);
  await page.getByLabel("Email address").fill("walker@example.com");
  await page.getByRole("button", { name: "Sign up" }).click();
  out.confirmTitle = await page.title();
  const sent = await (
    await fetch(`${env.ENDPOINT}/_ironpool/outbox?pool=${env.POOL_ID}&username=walker`)
  ).json();
  await page.getByLabel("Confirmation code").fill(sent[0].code);
  await page.getByRole("button", { name: "Confirm account" }).click();
  out.confirmed = await page.locator("#info").textContent();

  // Signing in with the keyboard alone: the username is filled in, the password follows.
  await page.getByLabel("Password").focus();
  await page.keyboard.type(env.PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#secret");
  out.setupTitle = await page.title();
  out.qr = await page.locator(".qr svg").count();
  const secret = (await page.locator("#secret").textContent()).trim();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  await page.getByLabel("Code").fill(totp.generate());
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(`${env.CALLBACK}**`);
  const first = new URL(page.url());
  out.state = first.searchParams.get("state");
  const tokens = await (
    await fetch(`${env.BASE}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: first.searchParams.get("code"),
        redirect_uri: env.CALLBACK,
        client_id: env.CLIENT_ID,
      }),
    })
  ).json();
  out.idToken = tokens.id_token;
  out.cookie = (await context.cookies()).find((c) => c.name === "cognito") ?? null;

  // The SSO session: straight back to the app.
  await page.goto(authorize("two"));
  await page.waitForURL(`${env.CALLBACK}**`);
  out.ssoState = new URL(page.url()).searchParams.get("state");

  // Sign-out, then the form again.
  await page.goto(
    `${env.BASE}/logout?` + new URLSearchParams({ client_id: env.CLIENT_ID, logout_uri: env.LOGOUT }),
  );
  await page.waitForURL(`${env.LOGOUT}**`);
  out.afterLogoutCookie = (await context.cookies()).some((c) => c.name === "cognito");
  await page.goto(authorize("three"));
  out.afterLogoutTitle = await page.title();
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
