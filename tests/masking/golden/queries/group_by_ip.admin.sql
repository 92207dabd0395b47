SELECT
  sourceIPAddress,
  COUNT(*) AS n
FROM (
  SELECT
    *
  FROM main.events AS tm_s
) AS events
GROUP BY
  1
ORDER BY
  n DESC,
  1
LIMIT 10
