CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  WHEN `v` = ''
  THEN ''
  ELSE CASE
    WHEN `v` RLIKE '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'
    THEN 'masked@' || REGEXP_EXTRACT(`v`, '@([^@]+)$')
    ELSE 'XXXXX'
  END
END
