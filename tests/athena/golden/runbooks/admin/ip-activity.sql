-- runbook ip-activity: Everything done from one IP address
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $ip
SELECT
  eventTime,
  eventSource,
  eventName,
  awsRegion,
  userIdentity.type AS principal_type,
  userIdentity.arn AS principal_arn,
  userAgent,
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
  AND sourceIPAddress = ?
ORDER BY
  eventTime,
  eventID
