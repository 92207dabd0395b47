SELECT
  sourceIPAddress,
  COUNT(*) AS n
FROM (
  SELECT
    tm_l0."r" AS "sourceIPAddress"
  FROM (
    SELECT
      tm_s.*
    FROM main.events AS tm_s
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
          WHEN STRPOS(tm_d."v", ',') > 0
          THEN ARRAY_TO_STRING(
            LIST_TRANSFORM(
              REGEXP_EXTRACT_ALL(tm_d."v", '[^,\s]+'),
              LAMBDA tm_ip : CASE
                WHEN REGEXP_MATCHES(
                  tm_ip,
                  '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
                )
                THEN REGEXP_EXTRACT(tm_ip, '^(\d+\.\d+\.\d+)\.', 1) || '.xxx'
                WHEN REGEXP_MATCHES(tm_ip, '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$')
                THEN REGEXP_EXTRACT(LOWER(tm_ip), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,2})', 1) || '::'
                WHEN REGEXP_MATCHES(
                  tm_ip,
                  '^(?:(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?|AWS Internal)$'
                )
                AND NOT (
                  REGEXP_MATCHES(
                    tm_ip,
                    '(?:^|[^0-9])[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}(?:[^0-9]|$)'
                  )
                )
                THEN tm_ip
                ELSE 'XXXXX'
              END
            ),
            ', '
          )
          ELSE CASE
            WHEN REGEXP_MATCHES(
              tm_d."v",
              '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
            )
            THEN REGEXP_EXTRACT(tm_d."v", '^(\d+\.\d+\.\d+)\.', 1) || '.xxx'
            WHEN REGEXP_MATCHES(tm_d."v", '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$')
            THEN REGEXP_EXTRACT(LOWER(tm_d."v"), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,2})', 1) || '::'
            WHEN REGEXP_MATCHES(
              tm_d."v",
              '^(?:(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?|AWS Internal)$'
            )
            AND NOT (
              REGEXP_MATCHES(
                tm_d."v",
                '(?:^|[^0-9])[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}(?:[^0-9]|$)'
              )
            )
            THEN tm_d."v"
            ELSE 'XXXXX'
          END
        END
      END AS "r"
    FROM (
      SELECT DISTINCT
        tm_x."sourceIPAddress" AS "v"
      FROM main.events AS tm_x
    ) AS tm_d
  ) AS tm_l0
    ON tm_l0."v" = tm_e."sourceIPAddress"
) AS events
GROUP BY
  1
ORDER BY
  n DESC,
  1
LIMIT 10
