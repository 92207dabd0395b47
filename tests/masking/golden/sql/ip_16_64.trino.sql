CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS VARCHAR)
  WHEN "v" = ''
  THEN ''
  ELSE CASE
    WHEN STRPOS("v", ',') > 0
    THEN ARRAY_JOIN(
      TRANSFORM(
        REGEXP_EXTRACT_ALL("v", '[^,\s]+'),
        tm_ip -> CASE
          WHEN REGEXP_LIKE(
            tm_ip,
            '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
          )
          THEN CONCAT(
            CAST(REGEXP_EXTRACT(tm_ip, '^(\d+\.\d+)\.', 1) AS VARCHAR),
            CAST('.xxx.xxx' AS VARCHAR)
          )
          WHEN REGEXP_LIKE(tm_ip, '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$')
          THEN CONCAT(
            CAST(REGEXP_EXTRACT(LOWER(tm_ip), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,3})', 1) AS VARCHAR),
            CAST('::' AS VARCHAR)
          )
          WHEN REGEXP_LIKE(
            tm_ip,
            '^(?:(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?|AWS Internal)$'
          )
          AND NOT (
            REGEXP_LIKE(
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
      WHEN REGEXP_LIKE(
        "v",
        '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
      )
      THEN CONCAT(
        CAST(REGEXP_EXTRACT("v", '^(\d+\.\d+)\.', 1) AS VARCHAR),
        CAST('.xxx.xxx' AS VARCHAR)
      )
      WHEN REGEXP_LIKE("v", '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$')
      THEN CONCAT(
        CAST(REGEXP_EXTRACT(LOWER("v"), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,3})', 1) AS VARCHAR),
        CAST('::' AS VARCHAR)
      )
      WHEN REGEXP_LIKE(
        "v",
        '^(?:(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?|AWS Internal)$'
      )
      AND NOT (
        REGEXP_LIKE(
          "v",
          '(?:^|[^0-9])[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}(?:[^0-9]|$)'
        )
      )
      THEN "v"
      ELSE 'XXXXX'
    END
  END
END
