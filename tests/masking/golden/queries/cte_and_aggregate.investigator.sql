WITH failed AS (
  SELECT
    errorCode,
    recipientAccountId
  FROM (
    SELECT
      tm_e."errorCode" AS "errorCode",
      SUBSTRING(
        'acct_' || SUBSTRING(
          SHA256(GETVARIABLE('tm_mask_key__k') || ':account_id:' || tm_e."recipientAccountId"),
          1,
          12
        ),
        1,
        CAST(LENGTH(tm_e."recipientAccountId") >= 1 AS INT) * 128
      ) AS "recipientAccountId"
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
