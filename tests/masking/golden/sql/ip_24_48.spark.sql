CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  ELSE CASE
    WHEN `v` RLIKE '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
    THEN REGEXP_EXTRACT(`v`, '^(\\d+\\.\\d+\\.\\d+)\\.') || '.xxx'
    WHEN `v` RLIKE '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$'
    THEN REGEXP_EXTRACT(LOWER(`v`), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,2})') || '::'
    WHEN `v` RLIKE '^(?:(?:[A-Za-z0-9-]+\\.)*amazonaws\\.com(?:\\.cn)?|AWS Internal)$'
    THEN `v`
    ELSE 'XXXXX'
  END
END
