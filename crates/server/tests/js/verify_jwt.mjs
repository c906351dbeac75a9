// Verifies tokens with aws-jwt-verify against the pool's JWKS, with the issuer Ironpool
// publishes, and prints one JSON line: {"id":"valid"|error, "access":.., "tampered":..}.
// Input from the environment: ENDPOINT, POOL_ID, CLIENT_ID, ID_TOKEN, ACCESS_TOKEN.
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

const env = process.env;
const issuer = `${env.ENDPOINT}/${env.POOL_ID}`;
const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
const common = { issuer: discovery.issuer, jwksUri: discovery.jwks_uri };
// The library's own fetcher speaks HTTPS only; a local server is plain HTTP.
const jwksCache = () =>
  new SimpleJwksCache({ fetcher: { fetch: async (uri) => (await fetch(uri)).arrayBuffer() } });
const idVerifier = JwtRsaVerifier.create({
  ...common,
  audience: env.CLIENT_ID,
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== "id") throw new Error("not an ID token");
  },
}, { jwksCache: jwksCache() });
const accessVerifier = JwtRsaVerifier.create({
  ...common,
  audience: null,
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== "access") throw new Error("not an access token");
    if (payload.client_id !== env.CLIENT_ID) throw new Error("wrong client");
  },
}, { jwksCache: jwksCache() });

async function check(verifier, token) {
  try {
    const payload = await verifier.verify(token);
    return { valid: true, sub: payload.sub };
  } catch (e) {
    return { valid: false, error: e.name, message: e.message };
  }
}

// The same token with one claim changed and the original signature.
function tamper(token) {
  const [h, p, s] = token.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  claims.sub = "00000000-0000-4000-8000-000000000000";
  return [h, Buffer.from(JSON.stringify(claims)).toString("base64url"), s].join(".");
}

console.log(
  JSON.stringify({
    issuer: discovery.issuer,
    id: await check(idVerifier, env.ID_TOKEN),
    access: await check(accessVerifier, env.ACCESS_TOKEN),
    tampered: await check(idVerifier, tamper(env.ID_TOKEN)),
    idAsAccess: await check(accessVerifier, env.ID_TOKEN),
  }),
);
