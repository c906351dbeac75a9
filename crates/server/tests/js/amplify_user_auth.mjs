// Choice-based sign-in (USER_AUTH) with Amplify v6: a preferred EMAIL_OTP, SMS_OTP and
// PASSWORD_SRP challenge, and the first-factor selection answered with EMAIL_OTP and with
// PASSWORD; with MODE=signup, a sign-up without a password that signs in with autoSignIn after
// its confirmation. Codes are read from Ironpool's outbox. Prints one JSON line:
// {"ok":true,"steps":[...]} or {"ok":false,"steps":[...],"name":..,"message":..}. Input from the
// environment: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD, MODE.
import { Amplify } from "aws-amplify";
import {
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  signIn,
  signOut,
  signUp,
} from "aws-amplify/auth";

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
const step = (r) => {
  steps.push(r.nextStep.signInStep);
  return r;
};
const outboxCode = async (purpose = "sign_in") => {
  const url = `${env.ENDPOINT}/_ironpool/outbox?pool=${env.POOL_ID}&username=${env.USERNAME}`;
  const messages = await (await fetch(url)).json();
  return messages.find((m) => m.purpose === purpose).code;
};
const userAuth = (preferredChallenge, password) =>
  signIn({
    username: env.USERNAME,
    password,
    options: { authFlowType: "USER_AUTH", preferredChallenge },
  });
const signedInAs = async () => {
  const { tokens } = await fetchAuthSession();
  steps.push(`user:${tokens.accessToken.payload.username}`);
  await signOut();
};

const signUpAndIn = async () => {
  const up = await signUp({
    username: env.USERNAME,
    options: {
      userAttributes: { email: `${env.USERNAME}@example.com` },
      autoSignIn: { authFlowType: "USER_AUTH" },
    },
  });
  steps.push(up.nextStep.signUpStep);
  const confirmed = await confirmSignUp({
    username: env.USERNAME,
    confirmationCode: await outboxCode("sign_up"),
  });
  steps.push(confirmed.nextStep.signUpStep);
  step(await autoSignIn());
  await signedInAs();
  const r = step(await userAuth());
  steps.push(`available:${r.nextStep.availableChallenges.join(",")}`);
};

try {
  if (env.MODE === "signup") {
    await signUpAndIn();
    console.log(JSON.stringify({ ok: true, steps }));
    process.exit(0);
  }
  step(await userAuth("EMAIL_OTP"));
  step(await confirmSignIn({ challengeResponse: await outboxCode() }));
  await signedInAs();

  step(await userAuth("SMS_OTP"));
  step(await confirmSignIn({ challengeResponse: await outboxCode() }));
  await signedInAs();

  step(await userAuth("PASSWORD_SRP", env.PASSWORD));
  await signedInAs();

  const r = step(await userAuth());
  steps.push(`available:${r.nextStep.availableChallenges.join(",")}`);
  step(await confirmSignIn({ challengeResponse: "EMAIL_OTP" }));
  step(await confirmSignIn({ challengeResponse: await outboxCode() }));
  await signedInAs();

  step(await userAuth());
  step(await confirmSignIn({ challengeResponse: "PASSWORD" }));
  step(await confirmSignIn({ challengeResponse: env.PASSWORD }));
  await signedInAs();

  // A wrong code is refused.
  step(await userAuth("EMAIL_OTP"));
  try {
    await confirmSignIn({ challengeResponse: "00000000" });
    steps.push("wrong code accepted");
  } catch (e) {
    steps.push(`wrong:${e.name}`);
  }
  console.log(JSON.stringify({ ok: true, steps }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, steps, name: e.name, message: e.message }));
}
