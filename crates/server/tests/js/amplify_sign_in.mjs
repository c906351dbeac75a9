// Signs in with Amplify v6 (`signIn` from aws-amplify/auth, SRP by default) and prints one JSON
// line: {"ok":true,"step":..,"idToken":..} or {"ok":false,"name":..,"message":..}.
// Input from the environment: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD.
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn } from "aws-amplify/auth";

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

try {
  const result = await signIn({ username: env.USERNAME, password: env.PASSWORD });
  const session = await fetchAuthSession();
  console.log(
    JSON.stringify({
      ok: result.isSignedIn,
      step: result.nextStep.signInStep,
      idToken: session.tokens?.idToken?.toString(),
    }),
  );
} catch (e) {
  console.log(JSON.stringify({ ok: false, name: e.name, message: e.message }));
}
