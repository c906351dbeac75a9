"""An OAuth 2.0 client built with Authlib: the authorization code flow with PKCE (signing in on
the managed login page with requests, as a browser would), the ID token checked with Authlib's
JOSE against the pool's JWKS, userinfo, refresh and revocation. Prints one JSON line.
Input from the environment: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, USERNAME, PASSWORD."""

import json
import os
import re
import secrets
from html import unescape
from urllib.parse import urljoin

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

env = os.environ
meta = requests.get(env["ISSUER"] + "/.well-known/openid-configuration").json()
session = OAuth2Session(
    env["CLIENT_ID"],
    env["CLIENT_SECRET"],
    scope="openid email",
    redirect_uri=env["REDIRECT_URI"],
    code_challenge_method="S256",
)
verifier = secrets.token_urlsafe(48)
url, state = session.create_authorization_url(
    meta["authorization_endpoint"], code_verifier=verifier, nonce="py-nonce"
)

browser = requests.Session()
response = browser.get(url, allow_redirects=False)
while response.status_code == 302:
    url = urljoin(url, response.headers["location"])
    response = browser.get(url, allow_redirects=False)
html = response.text
action = urljoin(url, unescape(re.search(r'action="([^"]+)"', html).group(1)))
csrf = unescape(re.search(r'name="_csrf" value="([^"]+)"', html).group(1))
answer = browser.post(
    action,
    data={"_csrf": csrf, "username": env["USERNAME"], "password": env["PASSWORD"]},
    allow_redirects=False,
)
callback = answer.headers["location"]

token = session.fetch_token(
    meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
)
keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"]).json())
claims = jwt.decode(
    token["id_token"],
    keys,
    claims_options={
        "iss": {"essential": True, "value": meta["issuer"]},
        "aud": {"essential": True, "value": env["CLIENT_ID"]},
        "nonce": {"essential": True, "value": "py-nonce"},
    },
)
claims.validate()
userinfo = session.get(meta["userinfo_endpoint"]).json()
refreshed = session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
revoked = session.revoke_token(meta["revocation_endpoint"], token["refresh_token"], token_type_hint="refresh_token")
try:
    session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    after = "refreshed"
except Exception as e:  # noqa: BLE001 - the OAuth error is what is reported
    after = getattr(e, "error", str(e))
print(
    json.dumps(
        {
            "state_returned": state in callback,
            "sub": claims["sub"],
            "nonce": claims["nonce"],
            "scope": token.get("scope"),
            "userinfo": userinfo,
            "refreshed": "access_token" in refreshed,
            "revoked": revoked.status_code,
            "after_revocation": after,
        }
    )
)
