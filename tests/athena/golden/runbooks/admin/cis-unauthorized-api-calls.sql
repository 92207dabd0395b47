-- runbook cis-unauthorized-api-calls: Unauthorized API calls (CIS 4.1)
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
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
  errorMessage,
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
    errorCode LIKE '%UnauthorizedOperation' OR errorCode LIKE 'AccessDenied%'
  )
  AND sourceIPAddress IS DISTINCT FROM 'delivery.logs.amazonaws.com'
  AND eventName IS DISTINCT FROM 'HeadBucket'
ORDER BY
  eventTime,
  eventID
