CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS TEXT)
  WHEN "v" = ''
  THEN ''
  ELSE CASE
    WHEN REGEXP_MATCHES("v", '^[^@\s]+@[^@\s]+\.[^@\s]+$')
    THEN 'masked@***.' || REGEXP_EXTRACT("v", '\.([^.@]+)$', 1)
    ELSE 'XXXXX'
  END
END
