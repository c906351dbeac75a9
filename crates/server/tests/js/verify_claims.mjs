// Verifies an ID and an access token with aws-jwt-verify against the pool's JWKS (the access
// token required to carry the scope SCOPE) and prints one JSON line with their payloads:
// {"id": payload | {error}, "access": payload | {error}, "otherScope": payload | {error}}.
// Input from the environment: ENDPOINT, POOL_ID, CLIENT_ID, ID_TOKEN, ACCESS_TOKEN, SCOPE.
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

const env = process.env;
const issuer = `${env.ENDPOINT}/${env.POOL_ID}`;
const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
const common = { issuer: discovery.issuer, jwksUri: discovery.jwks_uri };
// The library's own fetcher speaks HTTPS only; a local server is plain HTTP.
const jwksCache = () =>
  new SimpleJwksCache({ fetcher: { fetch: async (uri) => (await fetch(uri)).arrayBuffer() } });
const verifier = (props) => JwtRsaVerifier.create({ ...common, ...props }, { jwksCache: jwksCache() });
const tokenUse = (use) => ({ payload }) => {
  if (payload.token_use !== use) throw new Error(`not an ${use} token`);
};

async function check(v, token) {
  try {
    return await v.verify(token);
  } catch (e) {
    return { error: e.name, message: e.message };
  }
}

const access = (scope) =>
  verifier({ audience: null, scope, customJwtCheck: tokenUse("access") });
console.log(
  JSON.stringify({
    id: await check(verifier({ audience: env.CLIENT_ID, customJwtCheck: tokenUse("id") }), env.ID_TOKEN),
    access: await check(access(env.SCOPE), env.ACCESS_TOKEN),
    otherScope: await check(access("photos/delete"), env.ACCESS_TOKEN),
  }),
);
