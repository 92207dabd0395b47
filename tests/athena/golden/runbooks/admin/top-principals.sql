-- runbook top-principals: Most active principals
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $top
SELECT
  COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
  userIdentity.type AS principal_type,
  COUNT(*) AS calls,
  COUNT(*) FILTER(WHERE
    readOnly IS DISTINCT FROM TRUE) AS writes,
  COUNT(errorCode) AS errors,
  COUNT(DISTINCT eventSource) AS services,
  COUNT(DISTINCT awsRegion) AS regions,
  COUNT(DISTINCT sourceIPAddress) AS source_addresses,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
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
GROUP BY
  1,
  2
ORDER BY
  calls DESC,
  principal
LIMIT ?
