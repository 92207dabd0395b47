SELECT
  eventName,
  userIdentity.arn,
  sourceIPAddress
FROM (
  SELECT
    *
  FROM main.events AS tm_s
) AS events
ORDER BY
  eventTime
LIMIT 5
