SELECT
  eventTime,
  userIdentity.userName AS who
FROM (
  SELECT
    CASE
      WHEN tm_e."userIdentity" IS NULL
      THEN NULL
      ELSE {'userName': CASE
        WHEN tm_e."userIdentity"."userName" IS NULL
        THEN CAST(NULL AS TEXT)
        WHEN (
          tm_e."userIdentity"."userName"
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
        eventName = 'ConsoleLogin'
      ORDER BY
        eventTime DESC
      LIMIT 3
    ) AS tm_s
  ) AS tm_e
) AS events
WHERE
  eventName = 'ConsoleLogin'
ORDER BY
  eventTime DESC
LIMIT 3
