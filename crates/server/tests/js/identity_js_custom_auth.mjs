// The custom authentication flow with amazon-cognito-identity-js: with PASSWORD set,
// authenticateUser on a CUSTOM_AUTH user (SRP_A, the password, then the custom challenges);
// without, initiateAuth. Each challenge asks for a sum ("11+21"); the first answer given is
// wrong (the functions allow one), the others right, all by sendCustomChallengeAnswer.
// Prints {"ok":true,"steps":[...],"username":...} or {"ok":false,...}.
// Input: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD (optional).
import pkg from "amazon-cognito-identity-js";
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = pkg;

const env = process.env;
const pool = new CognitoUserPool({
  UserPoolId: env.POOL_ID,
  ClientId: env.CLIENT_ID,
  endpoint: env.ENDPOINT,
});
const steps = [];
const sum = (question) => {
  const [a, b] = question.split("+").map(Number);
  return String(a + b);
};
let wrongGiven = false;

const signIn = () =>
  new Promise((resolve, reject) => {
    const user = new CognitoUser({ Username: env.USERNAME, Pool: pool });
    user.setAuthenticationFlowType("CUSTOM_AUTH");
    const details = new AuthenticationDetails({
      Username: env.USERNAME,
      Password: env.PASSWORD || undefined,
      ClientMetadata: { client: "identity-js" },
    });
    const callbacks = {
      onSuccess(session) {
        steps.push("tokens");
        resolve(session);
      },
      onFailure: reject,
      customChallenge(parameters) {
        steps.push(`question:${parameters.question}`);
        const answer = wrongGiven ? sum(parameters.question) : "0";
        wrongGiven = true;
        user.sendCustomChallengeAnswer(answer, callbacks, { client: "identity-js" });
      },
    };
    if (env.PASSWORD) user.authenticateUser(details, callbacks);
    else user.initiateAuth(details, callbacks);
  });

try {
  const session = await signIn();
  const username = session.getIdToken().decodePayload()["cognito:username"];
  console.log(JSON.stringify({ ok: true, steps, username }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, steps, code: e.code || e.name, message: e.message }));
}
