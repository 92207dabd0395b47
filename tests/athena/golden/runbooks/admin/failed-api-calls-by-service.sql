-- runbook failed-api-calls-by-service: Failed API calls for one service
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $service, 6: $error_code, 7: $error_code
SELECT
  eventName,
  errorCode,
  userIdentity.arn AS principal_arn,
  COUNT(*) AS failures,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen,
  MIN(errorMessage) AS sample_error_message
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
  AND eventSource = ?
  AND NOT errorCode IS NULL
  AND (
    ? IS NULL OR errorCode = ?
  )
GROUP BY
  eventName,
  errorCode,
  userIdentity.arn
ORDER BY
  failures DESC,
  eventName,
  errorCode,
  principal_arn
