-- runbook root-account-activity: Root account activity summary
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventSource,
  eventName,
  sourceIPAddress,
  userAgent,
  userIdentity.invokedBy AS invoked_by,
  COUNT(*) AS calls,
  COUNT(errorCode) AS errors,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
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
  AND userIdentity.type = 'Root'
GROUP BY
  1,
  2,
  3,
  4,
  5
ORDER BY
  first_seen,
  eventSource,
  eventName,
  sourceIPAddress
