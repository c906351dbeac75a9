// Multi-factor sign-in with amazon-cognito-identity-js: in a pool with MFA ON the first sign-in
// sets up a software token (mfaSetup → associateSoftwareToken → verifySoftwareToken), the
// second answers totpRequired with sendMFACode, and (MODE "sms") an SMS code read from the
// outbox answers mfaRequired. Codes by otpauth. Prints {"ok":true,"steps":[...]} or
// {"ok":false,...}. Input: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD, MODE.
import pkg from "amazon-cognito-identity-js";
import { Secret, TOTP } from "otpauth";
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = pkg;

const env = process.env;
const pool = new CognitoUserPool({
  UserPoolId: env.POOL_ID,
  ClientId: env.CLIENT_ID,
  endpoint: env.ENDPOINT,
});
const steps = [];
let secret;
const code = (ahead) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: Date.now() + ahead * 30000,
  });
const outboxCode = async () => {
  const url = `${env.ENDPOINT}/_ironpool/outbox?pool=${env.POOL_ID}&username=${env.USERNAME}`;
  const messages = await (await fetch(url)).json();
  return messages.find((m) => m.purpose === "mfa").code;
};

const signInOnce = () =>
  new Promise((resolve, reject) => {
    const user = new CognitoUser({ Username: env.USERNAME, Pool: pool });
    const details = new AuthenticationDetails({ Username: env.USERNAME, Password: env.PASSWORD });
    const callbacks = {
      onSuccess(session) {
        steps.push("tokens");
        resolve(session);
      },
      onFailure: reject,
      mfaSetup(challengeName) {
        steps.push(challengeName);
        user.associateSoftwareToken({
          associateSecretCode(secretCode) {
            secret = secretCode;
            user.verifySoftwareToken(code(0), "laptop", callbacks);
          },
          onFailure: reject,
        });
      },
      totpRequired(challengeName) {
        steps.push(challengeName);
        user.sendMFACode(code(1), callbacks, "SOFTWARE_TOKEN_MFA");
      },
      async mfaRequired(challengeName) {
        steps.push(challengeName);
        user.sendMFACode(await outboxCode(), callbacks);
      },
    };
    user.authenticateUser(details, callbacks);
  });

try {
  await signInOnce();
  if (env.MODE !== "sms") await signInOnce();
  console.log(JSON.stringify({ ok: true, steps }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, steps, code: e.code || e.name, message: e.message }));
}
