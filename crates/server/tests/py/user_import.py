"""A user import job driven by boto3, the file uploaded to the pre-signed URL with urllib.

Prints the finished job and the imported user as JSON."""
import json
import os
import time
import urllib.request

import boto3

idp = boto3.client("cognito-idp", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
pool = idp.create_user_pool(PoolName="import", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
header = idp.get_csv_header(UserPoolId=pool)["CSVHeader"]
job = idp.create_user_import_job(UserPoolId=pool, JobName="boto3 import",
                                 CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/Import")["UserImportJob"]

def row(**values):
    return ",".join(values.get(column.replace(":", "_"), "") for column in header)

lines = [",".join(header),
         row(cognito_username="alice", cognito_mfa_enabled="false", email="alice@example.com",
             email_verified="true", given_name="Alice"),
         row(cognito_username="bob", cognito_mfa_enabled="false", email="bob@example.com",
             email_verified="false")]
request = urllib.request.Request(job["PreSignedUrl"], data="\n".join(lines).encode(), method="PUT",
                                 headers={"x-amz-server-side-encryption": "aws:kms"})
with urllib.request.urlopen(request) as response:
    uploaded = response.status

started = idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
for _ in range(600):
    done = idp.describe_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
    if done["Status"] in ("Succeeded", "Failed", "Stopped"):
        break
    time.sleep(0.05)
listed = idp.list_user_import_jobs(UserPoolId=pool, MaxResults=10)["UserImportJobs"]
alice = idp.admin_get_user(UserPoolId=pool, Username="alice")
print(json.dumps({
    "uploaded": uploaded,
    "created": job["Status"],
    "started": started["Status"],
    "status": done["Status"],
    "counts": [done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]],
    "message": done.get("CompletionMessage"),
    "listed": [j["JobId"] for j in listed],
    "job": job["JobId"],
    "userStatus": alice["UserStatus"],
    "givenName": {a["Name"]: a["Value"] for a in alice["UserAttributes"]}.get("given_name"),
}))
