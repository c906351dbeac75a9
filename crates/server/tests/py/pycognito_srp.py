"""Signs in with pycognito's AWSSRP (USER_SRP_AUTH, answered without a Session, as pycognito
does) with the right and a wrong password; prints one JSON line.
Input from the environment: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD."""

import json
import os

import boto3
from pycognito.aws_srp import AWSSRP

env = os.environ
client = boto3.client(
    "cognito-idp",
    endpoint_url=env["ENDPOINT"],
    region_name="us-east-1",
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)
out = {}
for label, password in [("right", env["PASSWORD"]), ("wrong", "Wrong-pass-1")]:
    srp = AWSSRP(
        username=env["USERNAME"],
        password=password,
        pool_id=env["POOL_ID"],
        client_id=env["CLIENT_ID"],
        client=client,
    )
    try:
        tokens = srp.authenticate_user()
        out[label] = {"ok": True, "idToken": tokens["AuthenticationResult"]["IdToken"]}
    except client.exceptions.NotAuthorizedException as e:
        out[label] = {
            "ok": False,
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
        }
print(json.dumps(out))
