-- runbook ec2-password-data-read: Windows instance passwords retrieved
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  COALESCE(userIdentity.arn, userIdentity.type) AS principal,
  sourceIPAddress,
  COUNT(*) AS attempts,
  COUNT(errorCode) AS failures,
  ARRAY_SORT(
    ARRAY_DISTINCT(
      ARRAY_AGG(
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.instanceId'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceId'))
        )
      )
    )
  ) AS instances,
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
  AND eventSource = 'ec2.amazonaws.com'
  AND eventName = 'GetPasswordData'
GROUP BY
  1,
  2
ORDER BY
  attempts DESC,
  principal,
  sourceIPAddress
