-- runbook secrets-read: Secrets read (Secrets Manager values, decrypted SSM parameters)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed
SELECT
  eventTime,
  eventSource,
  eventName,
  userIdentity.type AS principal_type,
  userIdentity.arn AS principal_arn,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.secretId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.secretId'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.name'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.name'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.path'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.path'))
    ),
    CAST(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.names')) AS VARCHAR),
    CAST(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.secretIdList')) AS VARCHAR),
    CAST(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.filters')) AS VARCHAR)
  ) AS secret,
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
  AND (
    (
      eventSource = 'secretsmanager.amazonaws.com'
      AND eventName IN ('GetSecretValue', 'BatchGetSecretValue')
    )
    OR (
      eventSource = 'ssm.amazonaws.com'
      AND eventName IN ('GetParameter', 'GetParameters', 'GetParametersByPath', 'GetParameterHistory')
      AND (
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.withDecryption'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.withDecryption'))
        )
      ) = 'true'
    )
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
