-- runbook federation-tokens: Federation tokens and console sign-in links minted from access keys
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed
SELECT
  eventTime,
  eventName,
  userIdentity.type AS principal_type,
  COALESCE(userIdentity.arn, userIdentity.principalId) AS principal_arn,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.name'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.name'))
  ) AS federated_name,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.durationSeconds'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.durationSeconds'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.sessionDuration'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.sessionDuration'))
    )
  ) AS duration_seconds,
  NOT (
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.tokenCode'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.tokenCode'))
    )
  ) IS NULL
  OR NOT (
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.serialNumber'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.serialNumber'))
    )
  ) IS NULL AS mfa_code_given,
  sourceIPAddress,
  userAgent,
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
      eventSource = 'sts.amazonaws.com'
      AND eventName IN ('GetFederationToken', 'GetSessionToken')
    )
    OR (
      eventSource = 'signin.amazonaws.com' AND eventName = 'GetSigninToken'
    )
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
