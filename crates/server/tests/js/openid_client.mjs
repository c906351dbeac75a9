// An OIDC relying party built with openid-client: discovery, the authorization code flow with
// PKCE (signing in on the managed login page as a browser would), userinfo, refresh,
// revocation and the end-session URL; aws-jwt-verify checks the tokens. Prints one JSON line.
// Input from the environment: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, LOGOUT_URI,
// USERNAME, PASSWORD.
import * as client from "openid-client";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

const env = process.env;
const config = await client.discovery(new URL(env.ISSUER), env.CLIENT_ID, env.CLIENT_SECRET, undefined, {
  execute: [client.allowInsecureRequests],
});
const meta = config.serverMetadata();

// The browser: cookies kept, redirects followed by hand until the app's redirect URI.
const cookies = new Map();
async function visit(url, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  for (const c of response.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    cookies.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return response;
}
async function signIn(authorizationUrl) {
  let url = authorizationUrl.href;
  let response = await visit(url);
  while (response.status === 302) {
    url = new URL(response.headers.get("location"), url).href;
    if (url.startsWith(env.REDIRECT_URI)) return url;
    response = await visit(url);
  }
  const html = await response.text();
  const attr = (re) => html.match(re)[1].replaceAll("&amp;", "&").replaceAll("&#x2f;", "/");
  const action = new URL(attr(/action="([^"]+)"/), url).href;
  const csrf = attr(/name="_csrf" value="([^"]+)"/);
  const body = new URLSearchParams({ _csrf: csrf, username: env.USERNAME, password: env.PASSWORD });
  const answer = await visit(action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  if (answer.status !== 302) throw new Error(`sign-in page answered ${answer.status}`);
  return new URL(answer.headers.get("location"), action).href;
}

const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: env.REDIRECT_URI,
  scope: "openid email profile",
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: "S256",
  state,
  nonce,
});
const callback = await signIn(authorizationUrl);
const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
  pkceCodeVerifier: verifier,
  expectedState: state,
  expectedNonce: nonce,
});
const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

const jwksCache = new SimpleJwksCache({ fetcher: { fetch: async (uri) => (await fetch(uri)).arrayBuffer() } });
const idVerifier = JwtRsaVerifier.create(
  { issuer: meta.issuer, jwksUri: meta.jwks_uri, audience: env.CLIENT_ID },
  { jwksCache },
);
const accessVerifier = JwtRsaVerifier.create(
  { issuer: meta.issuer, jwksUri: meta.jwks_uri, audience: null },
  { jwksCache },
);
const verifiedId = await idVerifier.verify(tokens.id_token);
const verifiedAccess = await accessVerifier.verify(tokens.access_token);

// A second authorization: the SSO session answers without the form.
const again = client.buildAuthorizationUrl(config, { redirect_uri: env.REDIRECT_URI, scope: "openid", state: "s2" });
const second = await visit(again.href);
const ssoLocation = second.headers.get("location");

const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
await client.tokenRevocation(config, tokens.refresh_token);
let afterRevocation;
try {
  await client.refreshTokenGrant(config, tokens.refresh_token);
  afterRevocation = "refreshed";
} catch (e) {
  afterRevocation = e.error ?? e.message;
}
const endSession = client.buildEndSessionUrl(config, { logout_uri: env.LOGOUT_URI });
const loggedOut = await visit(endSession.href);

console.log(
  JSON.stringify({
    metadata: {
      authorization_endpoint: meta.authorization_endpoint,
      token_endpoint: meta.token_endpoint,
      userinfo_endpoint: meta.userinfo_endpoint,
      revocation_endpoint: meta.revocation_endpoint,
      end_session_endpoint: meta.end_session_endpoint,
    },
    claims: { sub: claims.sub, nonce: claims.nonce, email: claims.email, aud: claims.aud },
    scope: verifiedAccess.scope,
    verifiedSub: verifiedId.sub,
    userinfo,
    sso: ssoLocation,
    refreshedScope: JSON.parse(Buffer.from(refreshed.access_token.split(".")[1], "base64url")).scope,
    afterRevocation,
    logout: { status: loggedOut.status, location: loggedOut.headers.get("location"), cookie: cookies.get("cognito") ?? null },
  }),
);
