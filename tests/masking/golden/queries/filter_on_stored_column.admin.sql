SELECT
  eventTime,
  userIdentity.userName AS who
FROM (
  SELECT
    *
  FROM main.events AS tm_s
) AS events
WHERE
  eventName = 'ConsoleLogin'
ORDER BY
  eventTime DESC
LIMIT 3
