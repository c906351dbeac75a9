// Multi-factor sign-in with Amplify v6 (aws-amplify/auth), codes computed by otpauth or read
// from Ironpool's outbox. Prints one JSON line: {"ok":true,"steps":[...]} or
// {"ok":false,"steps":[...],"name":..,"message":..}. Input from the environment: ENDPOINT,
// POOL_ID, CLIENT_ID, USERNAME, PASSWORD, MODE:
// - "setup": a pool with MFA ON; the first sign-in sets up TOTP (CONTINUE_SIGN_IN_WITH_TOTP_SETUP),
//   the second asks for a TOTP code;
// - "self": signed in, the user sets up TOTP (setUpTOTP, verifyTOTPSetup), prefers it
//   (updateMFAPreference), and the next sign-in asks for a TOTP code;
// - "email-setup": a pool with MFA ON; the user chooses email MFA, gives an address and
//   answers the code sent to it;
// - "outbox": the sign-in asks for an SMS or email code, read from /_ironpool/outbox.
import { Amplify } from "aws-amplify";
import {
  confirmSignIn,
  fetchMFAPreference,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from "aws-amplify/auth";
import { Secret, TOTP } from "otpauth";

const env = process.env;
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: env.POOL_ID,
      userPoolClientId: env.CLIENT_ID,
      userPoolEndpoint: env.ENDPOINT,
    },
  },
});

const steps = [];
let secret;
// A code for the next 30-second step: the step of the code just used is not accepted twice.
const code = (ahead) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: Date.now() + ahead * 30000,
  });
const step = (r) => {
  steps.push(r.nextStep.signInStep);
  return r;
};
const outboxCode = async () => {
  const url = `${env.ENDPOINT}/_ironpool/outbox?pool=${env.POOL_ID}&username=${env.USERNAME}`;
  const messages = await (await fetch(url)).json();
  return messages.find((m) => m.purpose === "mfa").code;
};
const signInWithTotpCode = async () => {
  const r = step(await signIn({ username: env.USERNAME, password: env.PASSWORD }));
  if (r.nextStep.signInStep !== "CONFIRM_SIGN_IN_WITH_TOTP_CODE") return;
  step(await confirmSignIn({ challengeResponse: code(1) }));
};

try {
  if (env.MODE === "setup") {
    let r = step(await signIn({ username: env.USERNAME, password: env.PASSWORD }));
    if (r.nextStep.signInStep === "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION") {
      r = step(await confirmSignIn({ challengeResponse: "TOTP" }));
    }
    secret = r.nextStep.totpSetupDetails.sharedSecret;
    step(await confirmSignIn({ challengeResponse: code(0) }));
    await signOut();
    await signInWithTotpCode();
  } else if (env.MODE === "self") {
    step(await signIn({ username: env.USERNAME, password: env.PASSWORD }));
    secret = (await setUpTOTP()).sharedSecret;
    await verifyTOTPSetup({ code: code(0) });
    await updateMFAPreference({ totp: "PREFERRED" });
    const pref = await fetchMFAPreference();
    steps.push(`preferred:${pref.preferred}`, `enabled:${pref.enabled}`);
    await signOut();
    await signInWithTotpCode();
  } else if (env.MODE === "email-setup") {
    step(await signIn({ username: env.USERNAME, password: env.PASSWORD }));
    step(await confirmSignIn({ challengeResponse: "EMAIL" }));
    step(await confirmSignIn({ challengeResponse: `${env.USERNAME}@example.com` }));
    step(await confirmSignIn({ challengeResponse: await outboxCode() }));
  } else {
    step(await signIn({ username: env.USERNAME, password: env.PASSWORD }));
    step(await confirmSignIn({ challengeResponse: await outboxCode() }));
  }
  console.log(JSON.stringify({ ok: steps[steps.length - 1] === "DONE", steps }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, steps, name: e.name, message: e.message }));
}
