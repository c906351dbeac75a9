// Remembers a device with Amplify v6: signIn (Amplify confirms the new device), rememberDevice,
// fetchDevices, signOut, a second signIn that goes through device SRP, then forgetDevice.
// Prints one JSON line with what each step saw (the challenges answered on each sign-in).
// Input from the environment: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD.
import { Amplify } from "aws-amplify";
import {
  fetchDevices,
  forgetDevice,
  rememberDevice,
  signIn,
  signOut,
} from "aws-amplify/auth";

// Amplify names the device after the browser's navigator.userAgent; Node before 21 has no
// navigator.
globalThis.navigator ??= { userAgent: "node" };

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

// The challenges answered, from the requests Amplify sends.
let challenges = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const target = init?.headers?.["x-amz-target"] ?? init?.headers?.["X-Amz-Target"];
  if (target?.endsWith(".RespondToAuthChallenge")) {
    challenges.push(JSON.parse(init.body).ChallengeName);
  }
  return realFetch(input, init);
};

const out = {};
try {
  challenges = [];
  const first = await signIn({ username: env.USERNAME, password: env.PASSWORD });
  out.first = { signedIn: first.isSignedIn, challenges };
  await rememberDevice();
  out.devices = (await fetchDevices()).map((d) => d.id);
  await signOut();

  challenges = [];
  const second = await signIn({ username: env.USERNAME, password: env.PASSWORD });
  out.second = { signedIn: second.isSignedIn, challenges };
  await forgetDevice();
  out.afterForget = (await fetchDevices()).map((d) => d.id);
} catch (e) {
  out.error = { name: e.name, message: e.message };
}
console.log(JSON.stringify(out));
