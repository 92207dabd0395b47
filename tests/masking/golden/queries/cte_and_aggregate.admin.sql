WITH failed AS (
  SELECT
    errorCode,
    recipientAccountId
  FROM (
    SELECT
      *
    FROM main.events AS tm_s
  ) AS events
  WHERE
    NOT errorCode IS NULL
)
SELECT
  errorCode,
  COUNT(*) AS n,
  MIN(recipientAccountId) AS account
FROM failed
GROUP BY
  errorCode
ORDER BY
  errorCode
