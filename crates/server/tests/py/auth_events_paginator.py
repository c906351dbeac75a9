"""Pages through a user's auth events with boto3's paginator for admin_list_user_auth_events;
prints one JSON line: the event ids of each page.
Input from the environment: ENDPOINT, POOL_ID, USERNAME, PAGE_SIZE."""

import json
import os

import boto3

env = os.environ
client = boto3.client(
    "cognito-idp",
    endpoint_url=env["ENDPOINT"],
    region_name="us-east-1",
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)
paginator = client.get_paginator("admin_list_user_auth_events")
pages = paginator.paginate(
    UserPoolId=env["POOL_ID"],
    Username=env["USERNAME"],
    PaginationConfig={"PageSize": int(env["PAGE_SIZE"])},
)
print(json.dumps([[e["EventId"] for e in page["AuthEvents"]] for page in pages]))
