-- runbook iam-policy-changes: Who changed IAM policies
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed
SELECT
  eventTime,
  eventName,
  userIdentity.arn AS changed_by,
  userIdentity.type AS changed_by_type,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.roleName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.groupName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.groupName'))
    )
  ) AS target,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.policyArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyArn'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.policyName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.permissionsBoundary'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.permissionsBoundary'))
    )
  ) AS policy,
  sourceIPAddress,
  errorCode,
  eventID
FROM (
  SELECT
    *
  FROM cloudtrail_trailmask AS tm_s
) AS events
WHERE
  (
    CAST(? AS TIMESTAMP) IS NULL
    OR eventTime >= CAST(? AS TIMESTAMP)
  )
  AND (
    CAST(? AS TIMESTAMP) IS NULL
    OR eventTime < CAST(? AS TIMESTAMP)
  )
  AND eventSource = 'iam.amazonaws.com'
  AND eventName IN (
    'PutUserPolicy',
    'PutRolePolicy',
    'PutGroupPolicy',
    'DeleteUserPolicy',
    'DeleteRolePolicy',
    'DeleteGroupPolicy',
    'CreatePolicy',
    'DeletePolicy',
    'CreatePolicyVersion',
    'DeletePolicyVersion',
    'SetDefaultPolicyVersion',
    'AttachUserPolicy',
    'AttachRolePolicy',
    'AttachGroupPolicy',
    'DetachUserPolicy',
    'DetachRolePolicy',
    'DetachGroupPolicy',
    'PutUserPermissionsBoundary',
    'PutRolePermissionsBoundary',
    'DeleteUserPermissionsBoundary',
    'DeleteRolePermissionsBoundary',
    'UpdateAssumeRolePolicy'
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
