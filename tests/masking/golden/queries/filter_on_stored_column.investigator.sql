SELECT
  eventTime,
  userIdentity.userName AS who
FROM (
  SELECT
    CASE WHEN tm_e."userIdentity" IS NULL THEN NULL ELSE {'userName': tm_l0."r"} END AS "userIdentity",
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
  LEFT JOIN (
    SELECT
      tm_d."v",
      CASE
        WHEN REGEXP_MATCHES(
          tm_d."v",
          '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
        )
        THEN tm_d."v"
        WHEN STARTS_WITH(tm_d."v", 'AWSReservedSSO_')
        THEN 'AWSReservedSSO_' || SUBSTRING(
          'user_' || SUBSTRING(
            SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_d."v", 16)),
            1,
            12
          ),
          1,
          CAST(LENGTH(SUBSTRING(tm_d."v", 16)) >= 1 AS INT) * 128
        )
        ELSE SUBSTRING(
          'user_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || tm_d."v"), 1, 12),
          1,
          CAST(LENGTH(tm_d."v") >= 1 AS INT) * 128
        )
      END AS "r"
    FROM (
      SELECT DISTINCT
        tm_x."userIdentity"."userName" AS "v"
      FROM (
        SELECT
          *
        FROM main.events AS tm_w
        WHERE
          eventName = 'ConsoleLogin'
        ORDER BY
          eventTime DESC
        LIMIT 3
      ) AS tm_x
    ) AS tm_d
  ) AS tm_l0
    ON tm_l0."v" = (
      tm_e."userIdentity"."userName"
    )
) AS events
WHERE
  eventName = 'ConsoleLogin'
ORDER BY
  eventTime DESC
LIMIT 3
