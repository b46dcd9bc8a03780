#!/usr/bin/env bash
# Regenerates every committed service model (`src/*/model.rs`) from the AWS
# service models botocore ships, or with `--check` verifies that doing so
# reproduces the committed files byte for byte (exit 1 naming each file that
# differs). Needs python3 with the botocore release service_model.py pins
# (`python3 -m pip install botocore==<version>`) and rustfmt.
set -euo pipefail

cd "$(dirname "$0")/.."

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# file, service, API version, operations ("all": every one). Adding an
# operation to an emulated service means adding it here and rerunning.
# (Lambda's table serves only the response check: Invoke is left out, its
# body is the function's own answer.)
models=(
  "src/cognito/model.rs cognito-idp 2016-04-18 all"
  "src/dynamodb/model.rs dynamodb 2012-08-10 BatchWriteItem,CreateTable,DeleteItem,DeleteTable,DescribeTable,GetItem,ListTables,PutItem,Query,Scan,UpdateItem"
  "src/iam/model.rs iam 2010-05-08 AttachRolePolicy,CreateRole,DeleteRole,DeleteRolePolicy,DetachRolePolicy,GetRole,GetRolePolicy,ListAttachedRolePolicies,ListRolePolicies,ListRoles,PutRolePolicy"
  "src/lambda/model.rs lambda 2015-03-31 AddPermission,CreateFunction,DeleteFunction,GetFunction,GetFunctionConfiguration,GetPolicy,ListFunctions,RemovePermission"
  "src/ses/model.rs ses 2010-12-01 DeleteIdentity,GetIdentityVerificationAttributes,ListIdentities,SendEmail,VerifyEmailIdentity"
  "src/logs/model.rs logs 2014-03-28 CreateLogGroup,CreateLogStream,DeleteLogGroup,DeleteLogStream,DescribeLogGroups,DescribeLogStreams,FilterLogEvents,GetLogEvents,PutLogEvents,PutRetentionPolicy"
)

generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
stale=0
for row in "${models[@]}"; do
  read -r file service version operations <<<"$row"
  python3 scripts/service_model.py "$service" "$version" "$operations" >"$generated"
  if $check; then
    if ! cmp -s "$generated" "$file"; then
      echo "emulator/$file differs from what scripts/regenerate-models.sh generates" >&2
      stale=1
    fi
  else
    cp "$generated" "$file"
  fi
done
if [ "$stale" -ne 0 ]; then
  echo "run emulator/scripts/regenerate-models.sh and commit the result" >&2
  exit 1
fi
