-- runbook cis-console-auth-failures: Console authentication failures (CIS 4.6)
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  userIdentity.type AS principal_type,
  COALESCE(userIdentity.arn, userIdentity.userName) AS principal,
  sourceIPAddress,
  userAgent,
  errorMessage,
  recipientAccountId,
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
  AND eventName = 'ConsoleLogin'
  AND errorMessage = 'Failed authentication'
ORDER BY
  eventTime,
  eventID
