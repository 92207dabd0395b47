-- runbook cis-security-group-changes: Security group changes (CIS 4.10)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed
SELECT
  eventTime,
  eventSource,
  eventName,
  awsRegion,
  recipientAccountId,
  userIdentity.type AS principal_type,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  errorCode,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.groupId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.groupId'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.groupName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.groupName'))
    )
  ) AS "group",
  eventID
FROM (
  SELECT
    *
  FROM cloudtrail_trailmask_investigator AS tm_s
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
  AND eventName IN (
    'AuthorizeSecurityGroupIngress',
    'AuthorizeSecurityGroupEgress',
    'RevokeSecurityGroupIngress',
    'RevokeSecurityGroupEgress',
    'CreateSecurityGroup',
    'DeleteSecurityGroup'
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
