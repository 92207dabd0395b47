SELECT
  sourceIPAddress,
  COUNT(*) AS n
FROM (
  SELECT
    CASE
      WHEN tm_e."sourceIPAddress" IS NULL
      THEN CAST(NULL AS TEXT)
      WHEN tm_e."sourceIPAddress" = ''
      THEN ''
      ELSE 'XXXXX'
    END AS "sourceIPAddress"
  FROM (
    SELECT
      tm_s.*
    FROM main.events AS tm_s
  ) AS tm_e
) AS events
GROUP BY
  1
ORDER BY
  n DESC,
  1
LIMIT 10
