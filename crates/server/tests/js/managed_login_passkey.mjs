// A passkey in headless Chromium (Playwright, Debian's chromium) with a virtual authenticator
// (the CDP WebAuthn domain): the user registers it on the app's page (StartWebAuthnRegistration,
// navigator.credentials.create, CompleteWebAuthnRegistration), then signs in with it on the
// managed login pages (version 2): the username, the choice "Passkey", the passkey button; the
// code that comes back is redeemed. Prints one JSON line.
// Input from the environment: ENDPOINT, BASE (the pool's endpoints at localhost), APP (the
// app's origin), CLIENT_ID, CALLBACK, USERNAME, PASSWORD.
import { launchChromium } from "./chromium.mjs";

const env = process.env;
const api = async (op, body) => {
  const response = await fetch(env.ENDPOINT, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${op}`,
    },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (answer.__type) throw new Error(`${op}: ${JSON.stringify(answer)}`);
  return answer;
};

const browser = await launchChromium();
const out = {};
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  // Registration, on the app's page.
  const signedIn = await api("InitiateAuth", {
    ClientId: env.CLIENT_ID,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: env.USERNAME, PASSWORD: env.PASSWORD },
  });
  const accessToken = signedIn.AuthenticationResult.AccessToken;
  const { CredentialCreationOptions } = await api("StartWebAuthnRegistration", {
    AccessToken: accessToken,
  });
  await page.goto(`${env.APP}/`);
  const registration = await page.evaluate(async (options) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
    const credential = await navigator.credentials.create({ publicKey });
    return credential.toJSON();
  }, CredentialCreationOptions);
  await api("CompleteWebAuthnRegistration", {
    AccessToken: accessToken,
    Credential: registration,
  });
  const listed = await api("ListWebAuthnCredentials", { AccessToken: accessToken });
  out.registered = listed.Credentials.map((c) => c.CredentialId);
  out.createdId = registration.id;

  // Sign-in on the managed login pages.
  await page.goto(
    `${env.BASE}/oauth2/authorize?` +
      new URLSearchParams({
        response_type: "code",
        client_id: env.CLIENT_ID,
        redirect_uri: env.CALLBACK,
        scope: "openid",
        state: "pk",
      }),
  );
  await page.getByLabel("Username").fill(env.USERNAME);
  await page.getByRole("button", { name: "Continue" }).click();
  out.choices = await page.locator("input[name=answer]").evaluateAll((inputs) =>
    inputs.map((i) => i.value),
  );
  await page.getByLabel("Passkey").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await page.waitForURL(`${env.CALLBACK}**`);
  const back = new URL(page.url());
  out.state = back.searchParams.get("state");
  const tokens = await (
    await fetch(`${env.BASE}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: back.searchParams.get("code"),
        redirect_uri: env.CALLBACK,
        client_id: env.CLIENT_ID,
      }),
    })
  ).json();
  out.idToken = tokens.id_token;
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  out.signCount = credentials[0]?.signCount ?? null;
} catch (e) {
  out.error = String(e.stack ?? e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
