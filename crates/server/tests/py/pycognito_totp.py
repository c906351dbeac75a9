"""pycognito's software token MFA: a signed-in user associates and verifies a token (codes by
pyotp) and prefers it; the next SRP sign-in raises SoftwareTokenMFAChallengeException and is
answered with respond_to_software_token_mfa_challenge. Prints one JSON line.
Input from the environment: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD."""

import json
import os
import time

import pyotp
from pycognito import Cognito
from pycognito.exceptions import SoftwareTokenMFAChallengeException

env = os.environ


def user():
    return Cognito(
        env["POOL_ID"],
        env["CLIENT_ID"],
        username=env["USERNAME"],
        boto3_client_kwargs={"endpoint_url": env["ENDPOINT"], "region_name": "us-east-1"},
    )


out = {}
u = user()
u.authenticate(password=env["PASSWORD"])
secret = u.associate_software_token()
out["secret_length"] = len(secret)
out["verified"] = u.verify_software_token(pyotp.TOTP(secret).now(), "phone")
u.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")

again = user()
try:
    again.authenticate(password=env["PASSWORD"])
    out["challenged"] = False
except SoftwareTokenMFAChallengeException as e:
    out["challenged"] = True
    # The code just verified is not accepted twice: the app's next one is.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    again.respond_to_software_token_mfa_challenge(code, e.get_tokens())
    out["username"] = again.access_claims["username"]
print(json.dumps(out))
