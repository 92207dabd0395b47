-- runbook cross-account-assume-role: Cross-account role assumptions
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  userIdentity.arn AS caller_arn,
  userIdentity.accountId AS caller_account,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.roleArn'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleArn'))
  ) AS role_arn,
  SPLIT_PART(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.roleArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleArn'))
    ),
    ':',
    5
  ) AS role_account,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.roleSessionName'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleSessionName'))
  ) AS session_name,
  NOT (
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.externalId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.externalId'))
    )
  ) IS NULL AS external_id_used,
  sourceIPAddress,
  errorCode,
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
  AND eventSource = 'sts.amazonaws.com'
  AND eventName = 'AssumeRole'
  AND NOT userIdentity.accountId IS NULL
  AND SPLIT_PART(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.roleArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleArn'))
    ),
    ':',
    5
  ) <> ''
  AND userIdentity.accountId <> SPLIT_PART(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.roleArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleArn'))
    ),
    ':',
    5
  )
ORDER BY
  eventTime,
  eventID
