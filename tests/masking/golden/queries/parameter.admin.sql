SELECT
  eventName,
  userIdentity.accessKeyId
FROM (
  SELECT
    *
  FROM main.events AS tm_s
) AS events
WHERE
  eventTime >= $since
ORDER BY
  eventTime
LIMIT 5
