// Signs in with amazon-cognito-identity-js (USER_SRP_AUTH, the library's default flow) and
// prints one JSON line: {"ok":true,"idToken":..,"accessToken":..} or {"ok":false,"code":..,"message":..}.
// Input from the environment: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD.
import pkg from "amazon-cognito-identity-js";
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = pkg;

const env = process.env;
const pool = new CognitoUserPool({
  UserPoolId: env.POOL_ID,
  ClientId: env.CLIENT_ID,
  endpoint: env.ENDPOINT,
});
const user = new CognitoUser({ Username: env.USERNAME, Pool: pool });
const details = new AuthenticationDetails({ Username: env.USERNAME, Password: env.PASSWORD });

user.authenticateUser(details, {
  onSuccess(session) {
    console.log(
      JSON.stringify({
        ok: true,
        idToken: session.getIdToken().getJwtToken(),
        accessToken: session.getAccessToken().getJwtToken(),
        refreshToken: session.getRefreshToken().getToken(),
      }),
    );
  },
  onFailure(err) {
    console.log(JSON.stringify({ ok: false, code: err.code || err.name, message: err.message }));
  },
  newPasswordRequired() {
    console.log(JSON.stringify({ ok: false, code: "NEW_PASSWORD_REQUIRED" }));
  },
});
