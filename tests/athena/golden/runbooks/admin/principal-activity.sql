-- runbook principal-activity: Everything one principal did
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $principal, 6: $principal, 7: $principal, 8: $principal, 9: $writes_only
SELECT
  eventTime,
  eventSource,
  eventName,
  awsRegion,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  userAgent,
  readOnly,
  errorCode,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.bucketName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.roleArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleArn'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.roleName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.instanceId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceId'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.functionName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.functionName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.secretId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.secretId'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.name'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.name'))
    )
  ) AS target,
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
  AND (
    userIdentity.arn = ?
    OR userIdentity.userName = ?
    OR userIdentity.principalId = ?
    OR userIdentity.sessionContext.sessionIssuer.arn = ?
  )
  AND (
    NOT ? OR readOnly IS DISTINCT FROM TRUE
  )
ORDER BY
  eventTime,
  eventID
