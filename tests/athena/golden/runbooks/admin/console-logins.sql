-- runbook console-logins: Console sign-ins
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $principal, 6: $principal, 7: $principal, 8: $principal
SELECT
  eventTime,
  userIdentity.type AS principal_type,
  COALESCE(userIdentity.arn, userIdentity.userName) AS principal,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(responseElements, '$.ConsoleLogin'),
      JSON_FORMAT(JSON_EXTRACT(responseElements, '$.ConsoleLogin'))
    ),
    CASE WHEN NOT errorMessage IS NULL THEN 'Failure' END
  ) AS result,
  COALESCE(
    JSON_EXTRACT_SCALAR(additionalEventData, '$.MFAUsed'),
    JSON_FORMAT(JSON_EXTRACT(additionalEventData, '$.MFAUsed'))
  ) AS mfa_used,
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
  AND (
    ? IS NULL
    OR userIdentity.arn = ?
    OR userIdentity.userName = ?
    OR userIdentity.principalId = ?
  )
ORDER BY
  eventTime,
  eventID
