// A service built with openid-client: the client_credentials grant with a resource server's
// scope (the access token checked by aws-jwt-verify, scope included), a scope it may not have,
// and token exchange (RFC 8693) of a user's access token with the service's own token as actor.
// Prints one JSON line. Input from the environment: ISSUER, CLIENT_ID, CLIENT_SECRET,
// SUBJECT_TOKEN.
import * as client from "openid-client";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

const env = process.env;
const config = await client.discovery(new URL(env.ISSUER), env.CLIENT_ID, env.CLIENT_SECRET, undefined, {
  execute: [client.allowInsecureRequests],
});
const meta = config.serverMetadata();
const tokens = await client.clientCredentialsGrant(config, { scope: "orders/read" });
const jwksCache = new SimpleJwksCache({ fetcher: { fetch: async (uri) => (await fetch(uri)).arrayBuffer() } });
const verifier = JwtRsaVerifier.create(
  {
    issuer: meta.issuer,
    jwksUri: meta.jwks_uri,
    audience: null,
    scope: "orders/read",
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== "access" || payload.client_id !== env.CLIENT_ID) throw new Error("not this client's");
    },
  },
  { jwksCache },
);
const verified = await verifier.verify(tokens.access_token);

let refused;
try {
  await client.clientCredentialsGrant(config, { scope: "openid" });
} catch (e) {
  refused = e.error ?? e.message;
}

const exchanged = await client.genericGrantRequest(config, "urn:ietf:params:oauth:grant-type:token-exchange", {
  subject_token: env.SUBJECT_TOKEN,
  subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
  actor_token: tokens.access_token,
  actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
  resource: "api",
});
const act = JSON.parse(Buffer.from(exchanged.access_token.split(".")[1], "base64url")).act;

console.log(
  JSON.stringify({
    tokenType: tokens.token_type,
    sub: verified.sub,
    scope: verified.scope,
    refused,
    issuedTokenType: exchanged.issued_token_type,
    exchangedScope: exchanged.scope,
    act,
  }),
);
