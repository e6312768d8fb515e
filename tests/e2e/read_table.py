"""Prints every item of one DynamoDB table as a JSON list (for the e2e tests).

Usage: read_table.py TABLE. The endpoint, region and keys come from the AWS_* variables that
`scripts/dynamodb start` exports. Runs with the moto venv's Python, where boto3 is installed.
"""

import json
import os
import sys
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeDeserializer


def plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return value


def main():
    table = sys.argv[1]
    client = boto3.client(
        "dynamodb",
        endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
        region_name=os.environ["AWS_REGION"],
    )
    deserializer = TypeDeserializer()
    items = []
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page["Items"]:
            items.append({k: plain(deserializer.deserialize(v)) for k, v in item.items()})
    json.dump(items, sys.stdout)


if __name__ == "__main__":
    main()
