"""A service built with Authlib: the client_credentials grant with a resource server's scope
(secret by HTTP Basic), and one with a scope the client may not have. Prints one JSON line.
Input from the environment: ISSUER, CLIENT_ID, CLIENT_SECRET."""

import json
import os

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

env = os.environ
meta = requests.get(env["ISSUER"] + "/.well-known/openid-configuration").json()
session = OAuth2Session(env["CLIENT_ID"], env["CLIENT_SECRET"], scope="orders/write")
token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"]).json())
claims = jwt.decode(token["access_token"], keys)
claims.validate()
try:
    OAuth2Session(env["CLIENT_ID"], env["CLIENT_SECRET"], scope="api/read").fetch_token(
        meta["token_endpoint"], grant_type="client_credentials"
    )
    refused = None
except Exception as e:  # noqa: BLE001 - the OAuth error is what is reported
    refused = getattr(e, "error", str(e))
print(
    json.dumps(
        {
            "token_type": token["token_type"],
            "sub": claims["sub"],
            "scope": claims["scope"],
            "refused": refused,
        }
    )
)
