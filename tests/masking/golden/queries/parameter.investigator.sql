SELECT
  eventName,
  userIdentity.accessKeyId
FROM (
  SELECT
    CASE WHEN tm_e."userIdentity" IS NULL THEN NULL ELSE {'accessKeyId': tm_l0."r"} END AS "userIdentity",
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
  LEFT JOIN (
    SELECT
      tm_d."v",
      SUBSTRING(
        'key_' || SUBSTRING(tm_d."v", 1, 4 * CAST(LENGTH(tm_d."v") >= 16 AS INT)) || SUBSTRING('_', 1, CAST(LENGTH(tm_d."v") >= 16 AS INT)) || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':access_key:' || tm_d."v"), 1, 12),
        1,
        CAST(LENGTH(tm_d."v") >= 1 AS INT) * 128
      ) AS "r"
    FROM (
      SELECT DISTINCT
        tm_x."userIdentity"."accessKeyId" AS "v"
      FROM (
        SELECT
          *
        FROM main.events AS tm_w
        WHERE
          eventTime >= $since
        ORDER BY
          eventTime
        LIMIT 5
      ) AS tm_x
    ) AS tm_d
  ) AS tm_l0
    ON tm_l0."v" = (
      tm_e."userIdentity"."accessKeyId"
    )
) AS events
WHERE
  eventTime >= $since
ORDER BY
  eventTime
LIMIT 5
