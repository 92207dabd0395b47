-- runbook cis-root-account-usage: Root account usage (CIS 4.3)
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventSource,
  eventName,
  awsRegion,
  recipientAccountId,
  sourceIPAddress,
  userAgent,
  userIdentity.accessKeyId AS access_key_id,
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
  AND userIdentity.type = 'Root'
  AND userIdentity.invokedBy IS NULL
  AND eventType IS DISTINCT FROM 'AwsServiceEvent'
ORDER BY
  eventTime,
  eventID
