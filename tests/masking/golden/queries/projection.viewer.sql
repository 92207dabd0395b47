SELECT
  eventName,
  userIdentity.arn,
  sourceIPAddress
FROM (
  SELECT
    CASE WHEN tm_e."userIdentity" IS NULL THEN NULL ELSE {'arn': tm_l0."r"} END AS "userIdentity",
    tm_e."eventTime" AS "eventTime",
    tm_e."eventName" AS "eventName",
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
    FROM (
      SELECT
        *
      FROM main.events AS tm_w
      ORDER BY
        eventTime
      LIMIT 5
    ) AS tm_s
  ) AS tm_e
  LEFT JOIN (
    SELECT
      tm_d."v",
      CASE
        WHEN tm_d."v" IS NULL
        THEN CAST(NULL AS TEXT)
        WHEN tm_d."v" = ''
        THEN ''
        ELSE CASE
          WHEN LOWER(REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) = 'aws'
          THEN tm_d."v"
          WHEN REGEXP_MATCHES(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:.+$')
          THEN CONCAT(
            REGEXP_EXTRACT(tm_d."v", '^([Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:)[^:]*:.', 1),
            CASE
              WHEN LOWER(REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) IN ('', 'aws')
              THEN REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
              ELSE 'XXXXX'
            END,
            ':',
            REGEXP_EXTRACT(
              tm_d."v",
              '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
              1
            ),
            REGEXP_REPLACE(
              CASE
                WHEN REGEXP_EXTRACT(
                  tm_d."v",
                  '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                  1
                ) = ''
                THEN REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
                ELSE SUBSTRING(
                  REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1),
                  LENGTH(
                    REGEXP_EXTRACT(
                      tm_d."v",
                      '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                      1
                    )
                  ) + 1
                )
              END,
              '[^/]+',
              'XXXXX',
              'g'
            )
          )
          ELSE 'XXXXX'
        END
      END AS "r"
    FROM (
      SELECT DISTINCT
        tm_x."userIdentity"."arn" AS "v"
      FROM (
        SELECT
          *
        FROM main.events AS tm_w
        ORDER BY
          eventTime
        LIMIT 5
      ) AS tm_x
    ) AS tm_d
  ) AS tm_l0
    ON tm_l0."v" = (
      tm_e."userIdentity"."arn"
    )
) AS events
ORDER BY
  eventTime
LIMIT 5
