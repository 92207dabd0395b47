CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS VARCHAR)
  WHEN "v" = ''
  THEN ''
  ELSE CASE
    WHEN REGEXP_LIKE("v", '^[^@\s]+@[^@\s]+\.[^@\s]+$')
    THEN CONCAT(CAST('masked@' AS VARCHAR), CAST(REGEXP_EXTRACT("v", '@([^@]+)$', 1) AS VARCHAR))
    ELSE 'XXXXX'
  END
END
