CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  WHEN `v` = ''
  THEN ''
  ELSE CASE
    WHEN LOCATE(',', `v`) > 0
    THEN ARRAY_JOIN(
      TRANSFORM(
        REGEXP_EXTRACT_ALL(`v`, '[^,\\s]+', 0),
        tm_ip -> CASE
          WHEN tm_ip RLIKE '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
          THEN REGEXP_EXTRACT(tm_ip, '^(\\d+\\.\\d+)\\.') || '.xxx.xxx'
          WHEN tm_ip RLIKE '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$'
          THEN REGEXP_EXTRACT(LOWER(tm_ip), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,3})') || '::'
          WHEN tm_ip RLIKE '^(?:(?:portal\\.sso|console\\.ec2|delivery\\.logs|ops\\.apigateway|replicator\\.lambda|edgelambda\\.lambda|[a-z0-9-]+)(?:\\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\\.amazonaws\\.com(?:\\.cn)?|AWS Internal)$'
          AND NOT (
            tm_ip RLIKE '(?:^|[^0-9])[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}(?:[^0-9]|$)'
          )
          THEN tm_ip
          ELSE 'XXXXX'
        END
      ),
      ', '
    )
    ELSE CASE
      WHEN `v` RLIKE '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
      THEN REGEXP_EXTRACT(`v`, '^(\\d+\\.\\d+)\\.') || '.xxx.xxx'
      WHEN `v` RLIKE '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$'
      THEN REGEXP_EXTRACT(LOWER(`v`), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,3})') || '::'
      WHEN `v` RLIKE '^(?:(?:portal\\.sso|console\\.ec2|delivery\\.logs|ops\\.apigateway|replicator\\.lambda|edgelambda\\.lambda|[a-z0-9-]+)(?:\\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\\.amazonaws\\.com(?:\\.cn)?|AWS Internal)$'
      AND NOT (
        `v` RLIKE '(?:^|[^0-9])[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}(?:[^0-9]|$)'
      )
      THEN `v`
      ELSE 'XXXXX'
    END
  END
END
