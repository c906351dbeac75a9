// The custom authentication flow with Amplify v6: signIn with authFlowType MODE
// ("CUSTOM_WITHOUT_SRP", or "CUSTOM_WITH_SRP" with the password), then confirmSignIn with the
// answer to each challenge's sum ("11+21") until signed in.
// Prints {"ok":true,"steps":[...],"username":...} or {"ok":false,...}.
// Input: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD, MODE.
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn } from "aws-amplify/auth";

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
const sum = (question) => {
  const [a, b] = question.split("+").map(Number);
  return String(a + b);
};

try {
  let r = await signIn({
    username: env.USERNAME,
    password: env.MODE === "CUSTOM_WITH_SRP" ? env.PASSWORD : undefined,
    options: { authFlowType: env.MODE, clientMetadata: { client: "amplify" } },
  });
  while (r.nextStep.signInStep === "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE") {
    const question = r.nextStep.additionalInfo.question;
    steps.push(`question:${question}`);
    r = await confirmSignIn({ challengeResponse: sum(question) });
  }
  steps.push(r.nextStep.signInStep);
  const { tokens } = await fetchAuthSession();
  const username = tokens.idToken.payload["cognito:username"];
  console.log(JSON.stringify({ ok: true, steps, username }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, steps, name: e.name, message: e.message }));
}
