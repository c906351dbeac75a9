// Remembers a device with amazon-cognito-identity-js and signs in with it: a first SRP sign-in
// (the library confirms the NewDeviceMetadata it gets), setDeviceStatusRemembered, a second
// sign-in that goes through DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER, then one with the
// stored device secret tampered with. Prints one JSON line with what each step saw.
// Input from the environment: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD.
import pkg from "amazon-cognito-identity-js";
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = pkg;

const env = process.env;
const items = {};
const storage = {
  setItem: (k, v) => (items[k] = String(v)),
  getItem: (k) => (k in items ? items[k] : null),
  removeItem: (k) => delete items[k],
  clear: () => Object.keys(items).forEach((k) => delete items[k]),
};
const pool = new CognitoUserPool({
  UserPoolId: env.POOL_ID,
  ClientId: env.CLIENT_ID,
  endpoint: env.ENDPOINT,
  Storage: storage,
});

// The challenges the current sign-in answered.
let challenges = [];
const request = pool.client.request.bind(pool.client);
pool.client.request = (operation, params, callback) => {
  if (operation === "RespondToAuthChallenge") challenges.push(params.ChallengeName);
  return request(operation, params, callback);
};

// Each sign-in on a fresh CognitoUser (as after an app restart).
function signIn() {
  const user = new CognitoUser({ Username: env.USERNAME, Pool: pool, Storage: storage });
  challenges = [];
  const details = new AuthenticationDetails({ Username: env.USERNAME, Password: env.PASSWORD });
  return new Promise((resolve) => {
    user.authenticateUser(details, {
      onSuccess(session, userConfirmationNecessary) {
        resolve({
          ok: true,
          user,
          challenges,
          userConfirmationNecessary: userConfirmationNecessary === true,
          deviceKey: user.deviceKey,
          accessToken: session.getAccessToken().getJwtToken(),
        });
      },
      onFailure(err) {
        resolve({ ok: false, challenges, code: err.code || err.name, message: err.message });
      },
    });
  });
}

const call = (fn) =>
  new Promise((resolve) =>
    fn({
      onSuccess: (result) => resolve({ ok: true, result }),
      onFailure: (err) => resolve({ ok: false, code: err.code || err.name, message: err.message }),
    }),
  );

const out = {};
const first = await signIn();
out.first = { ...first, user: undefined };
if (first.ok) {
  const remembered = await call((cb) => first.user.setDeviceStatusRemembered(cb));
  out.remembered = remembered;
  const listed = await call((cb) => first.user.listDevices(10, null, cb));
  out.listed = listed.ok ? listed.result.Devices.map((d) => d.DeviceKey) : listed;

  const second = await signIn();
  out.second = { ...second, user: undefined };

  const passwordKey = Object.keys(items).find((k) => k.endsWith(".randomPasswordKey"));
  items[passwordKey] = "tampered-" + items[passwordKey];
  const tampered = await signIn();
  out.tampered = { ...tampered, user: undefined };
}
console.log(JSON.stringify(out));
