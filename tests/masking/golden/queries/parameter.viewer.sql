SELECT
  eventName,
  userIdentity.accessKeyId
FROM (
  SELECT
    CASE
      WHEN tm_e."userIdentity" IS NULL
      THEN NULL
      ELSE {'accessKeyId': CASE
        WHEN tm_e."userIdentity"."accessKeyId" IS NULL
        THEN CAST(NULL AS TEXT)
        WHEN (
          tm_e."userIdentity"."accessKeyId"
        ) = ''
        THEN ''
        ELSE 'XXXXX'
      END}
    END AS "userIdentity",
    tm_e."eventTime" AS "eventTime",
    tm_e."eventName" AS "eventName"
  FROM (
    SELECT
      tm_s.*
    FROM (
      SELECT
        *
      FROM main.events AS tm_w
      WHERE
        eventTime >= $since
      ORDER BY
        eventTime
      LIMIT 5
    ) AS tm_s
  ) AS tm_e
) AS events
WHERE
  eventTime >= $since
ORDER BY
  eventTime
LIMIT 5
