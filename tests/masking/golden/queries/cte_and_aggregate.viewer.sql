WITH failed AS (
  SELECT
    errorCode,
    recipientAccountId
  FROM (
    SELECT
      tm_e."errorCode" AS "errorCode",
      CASE
        WHEN tm_e."recipientAccountId" IS NULL
        THEN CAST(NULL AS TEXT)
        WHEN tm_e."recipientAccountId" = ''
        THEN ''
        ELSE 'XXXXX'
      END AS "recipientAccountId"
    FROM (
      SELECT
        tm_s.*
      FROM (
        SELECT
          *
        FROM main.events AS tm_w
        WHERE
          NOT errorCode IS NULL
      ) AS tm_s
    ) AS tm_e
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
